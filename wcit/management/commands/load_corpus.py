from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wcit import curation
from wcit.cache import bump_data_version
from wcit.corpus import FIXTURES, fixture_paths
from wcit.models import Claim


class Command(BaseCommand):
    help = (
        "Load fixtures/*.json into an empty database. Refuses a database that already "
        "holds data, so curation not yet exported is never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when the database already holds data.",
        )
        parser.add_argument(
            "--fixtures",
            type=Path,
            help="Folder holding the fixture files (default: fixtures/), e.g. the fixtures/ "
            "folder of a corpus ZIP downloaded from /download/.",
        )

    def handle(self, *args, if_empty, fixtures=None, **options):
        held = {
            model._meta.verbose_name_plural: model._default_manager.count()
            for _name, model, _order in FIXTURES
        }
        held = {name: count for name, count in held.items() if count}
        if held:
            summary = ", ".join(f"{count} {name}" for name, count in held.items())
            if if_empty:
                self.stdout.write(f"The database already holds data ({summary}): not loading.")
                return
            raise CommandError(
                f"The database already holds data ({summary}). Export it first "
                "(make export) or start from an empty database."
            )
        started = timezone.now()
        call_command("loaddata", *fixture_paths(fixtures), verbosity=options["verbosity"])
        # Raw saves recount nothing (wcit.models.answers): every claim is new, count them all.
        Claim.objects.recount_answers()
        curation.mark_as_baseline(
            [model for _name, model, _order in FIXTURES if hasattr(model, "history")], started
        )
        # Saves bump the data version too; this covers a load with signals disconnected.
        bump_data_version()
