from django.core.management.base import BaseCommand, CommandError

from wcit.corpus import broken_anchors
from wcit.models import Claim, ClauseText


class Command(BaseCommand):
    help = "Check that every claim's and clause text's quote resolves to one place in its source."

    def handle(self, *args, **options):
        broken = broken_anchors()
        for message in broken:
            self.stderr.write(message)
        total = Claim.objects.count() + ClauseText.objects.count()
        if broken:
            raise CommandError(f"{len(broken)} of {total} anchored passages do not resolve.")
        self.stdout.write(
            f"All {Claim.objects.count()} claims and {ClauseText.objects.count()} clause texts "
            "resolve to exactly one place in their sources."
        )
