from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand

from wcit.corpus import FIXTURES, FIXTURES_DIR


class Command(BaseCommand):
    help = "Write the database back to fixtures/*.json: natural keys, stable order and format."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(FIXTURES_DIR), help="Folder to write to (default: fixtures/)."
        )

    def handle(self, *args, output, **options):
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for name, model, order in FIXTURES:
            data = serializers.serialize(
                "json",
                model._default_manager.order_by(*order),
                indent=2,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
                fields=stored_fields(model),
            )
            (folder / name).write_text(data + "\n", encoding="utf-8")
            self.stdout.write(f"{folder / name}: {model._default_manager.count()} records")


def stored_fields(model):
    """The fields a fixture holds: not those the database computes (the search document)."""
    meta = model._meta
    return [
        field.name
        for field in [*meta.local_fields, *meta.local_many_to_many]
        if field.serialize and not field.generated
    ]
