"""Create the ``reviewer`` group: reviewers publish what curators submit.

A reviewer may do everything a curator may (view, add and change claims,
speakers and relations; only view sources, countries, clauses and clause
texts) and, alone, publish claims or return published claims to draft
(``wcit.publish_claim``). Curators keep their group and may only submit a
claim for review.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER_PERMISSIONS = {
    "claim": ["view", "add", "change", "publish"],
    "speaker": ["view", "add", "change"],
    "claimrelation": ["view", "add", "change"],
    "source": ["view"],
    "country": ["view"],
    "clause": ["view"],
    "clausetext": ["view"],
    "keyfigure": ["view"],
}


def create_reviewer_group(apps, schema_editor):
    # As in 0002: permissions are created after all migrations (post_migrate);
    # create them now so that the group can be given them in a fresh database.
    wcit = apps.get_app_config("wcit")
    wcit.models_module = True
    create_permissions(wcit, apps=apps, verbosity=0)
    wcit.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="reviewer")
    codenames = [
        f"{action}_{model}"
        for model, actions in REVIEWER_PERMISSIONS.items()
        for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="wcit", codename__in=codenames)
    )


def delete_reviewer_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="reviewer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("wcit", "0008_claim_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_reviewer_group, delete_reviewer_group)]
