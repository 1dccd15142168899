"""Let curators create disputes, word their positions and place claims in them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_{model}" for model in ["dispute", "position"] for action in ["view", "add", "change"]
]


def grant(apps, schema_editor):
    # As in 0002: permissions for the new models exist only after post_migrate.
    wcit = apps.get_app_config("wcit")
    wcit.models_module = True
    create_permissions(wcit, apps=apps, verbosity=0)
    wcit.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="curator")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wcit", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="curator"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="wcit", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("wcit", "0005_disputes")]

    operations = [migrations.RunPython(grant, revoke)]
