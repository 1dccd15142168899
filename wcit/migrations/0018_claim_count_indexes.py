"""Indexes that let a list page count each row's published claims without reading them all.

``with_claim_counts(cap)`` counts a country's or a clause's published claims up to a cap:
PostgreSQL walks the link table from the country (or clause) in claim order and looks each
claim's status up, stopping at the cap. The link tables' own unique indexes lead with the
claim, so without these it read every link of the country; the partial index on published
claims answers the status from the index alone (after VACUUM). Django creates the link
tables itself, so their indexes are SQL here.
"""

from django.db import migrations, models

LINKS = [("wcit_claim_countries", "country_id"), ("wcit_claim_clauses", "clause_id")]


class Migration(migrations.Migration):
    dependencies = [("wcit", "0017_history_of_every_edited_model")]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(status="published"),
                fields=["id"],
                name="claim_published_idx",
            ),
        ),
        *(
            migrations.RunSQL(
                f"CREATE INDEX {table}_by_{column[:-3]} ON {table} ({column}, claim_id)",
                f"DROP INDEX {table}_by_{column[:-3]}",
            )
            for table, column in LINKS
        ),
    ]
