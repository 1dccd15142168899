from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand

from wcit.corpus import FIXTURES, FIXTURES_DIR, exported_fields


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
                fields=exported_fields(model),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
            (folder / name).write_text(data + "\n", encoding="utf-8")
            self.stdout.write(f"{folder / name}: {model._default_manager.count()} records")
