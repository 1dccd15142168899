"""Each claim's answer count, stored, and the index that serves the lists' default order.

"Most answered first" computed two answer counts for every claim of a list's selection and
sorted them all before taking a page: its cost grew with the claims (issue 22). The count is
now a column (``Claim.answer_count``, kept by ``wcit.models.answers``) and a partial index on
published claims, ``answer_count DESC, id``, gives a page in order by walking the index and
stopping after its rows. Existing claims are counted here, in one UPDATE of the claims some
relation points to (every other claim's count is the default, 0).
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_answers(apps, schema_editor):
    """Store each answered claim's count of published claims rebutting or supporting it."""
    Claim = apps.get_model("wcit", "Claim")
    ClaimRelation = apps.get_model("wcit", "ClaimRelation")
    using = schema_editor.connection.alias
    answering = (
        ClaimRelation.objects.using(using)
        .filter(
            to_claim=OuterRef("pk"),
            kind__in=["rebuts", "supports"],
            from_claim__status="published",
        )
        .order_by()
        .values("to_claim")
        .annotate(n=Count("*"))
        .values("n")
    )
    answered = ClaimRelation.objects.using(using).values("to_claim")
    Claim.objects.using(using).filter(pk__in=answered).update(
        answer_count=Coalesce(Subquery(answering), 0)
    )


class Migration(migrations.Migration):
    dependencies = [("wcit", "0022_claim_published_idx_covers_record")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="answer_count",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="How many published claims rebut or support it. Kept by the site "
                "(wcit.models.answers), never edited: the lists' default order reads it.",
            ),
        ),
        # Backwards, the column goes with its values: nothing to undo.
        migrations.RunPython(count_answers, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(status="published"),
                fields=["-answer_count", "id"],
                name="claim_answered_idx",
            ),
        ),
    ]
