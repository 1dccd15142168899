from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from wcit.corpus import broken_anchors
from wcit.models import Claim, ClauseText


def wrong_answer_counts():
    """A line for each claim whose stored ``answer_count`` (the lists' default order) is not
    the number of published claims that rebut or support it."""
    wrong = (
        Claim.objects.with_answer_counts()
        .annotate(answers=F("rebutted_count") + F("supported_count"))
        .exclude(answer_count=F("answers"))
        .order_by("pk")
        .values_list("pk", "answer_count", "answers")
    )
    return [
        f"Claim #{pk} stores {stored} answers; {answers} published claims rebut or support it."
        for pk, stored, answers in wrong
    ]


class Command(BaseCommand):
    help = (
        "Check that every claim's and clause text's quote resolves to one place in its source, "
        "and that every claim's stored answer count is right."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recount",
            action="store_true",
            help="Recount every claim's answers first (after a plain loaddata, or a bulk write "
            "that sent no signals).",
        )

    def handle(self, *args, recount=False, **options):
        if recount:
            Claim.objects.recount_answers()
        broken = broken_anchors()
        miscounted = wrong_answer_counts()
        for message in [*broken, *miscounted]:
            self.stderr.write(message)
        total = Claim.objects.count() + ClauseText.objects.count()
        if broken:
            raise CommandError(f"{len(broken)} of {total} anchored passages do not resolve.")
        if miscounted:
            raise CommandError(
                f"{len(miscounted)} claims store a wrong answer count: "
                "manage.py check_corpus --recount recounts them."
            )
        self.stdout.write(
            f"All {Claim.objects.count()} claims and {ClauseText.objects.count()} clause texts "
            "resolve to exactly one place in their sources, and every claim's answer count "
            "is right."
        )
