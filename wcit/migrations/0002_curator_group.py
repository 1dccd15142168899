"""Create the ``curator`` group.

Curators view, add and change claims, speakers and the relations between
claims; they only view sources, countries, clauses and clause texts. Nobody in
the group may delete, nor touch users and groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = {
    "claim": ["view", "add", "change"],
    "speaker": ["view", "add", "change"],
    "claimrelation": ["view", "add", "change"],
    "source": ["view"],
    "country": ["view"],
    "clause": ["view"],
    "clausetext": ["view"],
}


def create_curator_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate);
    # create them now so that the group can be given them in a fresh database.
    wcit = apps.get_app_config("wcit")
    wcit.models_module = True
    create_permissions(wcit, apps=apps, verbosity=0)
    wcit.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="curator")
    codenames = [
        f"{action}_{model}"
        for model, actions in CURATOR_PERMISSIONS.items()
        for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="wcit", codename__in=codenames)
    )


def delete_curator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("wcit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curator_group, delete_curator_group)]
