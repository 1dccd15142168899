from pathlib import Path

from django.core.management.base import BaseCommand

from wcit.corpus import FIXTURES_DIR, fixture_querysets, write_fixture


class Command(BaseCommand):
    help = "Write the database back to fixtures/*.json: natural keys, stable order and format."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=str(FIXTURES_DIR), help="Folder to write to (default: fixtures/)."
        )

    def handle(self, *args, output, **options):
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for name, model, queryset in fixture_querysets():
            with open(folder / name, "w", encoding="utf-8") as stream:
                write_fixture(model, queryset, stream)
            self.stdout.write(f"{folder / name}: {model._default_manager.count()} records")
