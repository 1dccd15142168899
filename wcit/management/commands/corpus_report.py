from django.core.management.base import BaseCommand, CommandError

from wcit import coverage
from wcit.models import Claim

KINDS = Claim.Kind.values


class Command(BaseCommand):
    help = (
        "Print, for each source, its paragraphs, the claim-bearing ones and those covered by a "
        "claim, and its claims by kind; totals; countries with no claim; claims with neither "
        "country nor clause; anchors that fail (exit status 1 if any). Computed afresh from "
        "the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--uncovered",
            action="store_true",
            help="Also print the start of each claim-bearing paragraph that no claim covers.",
        )

    def handle(self, *args, uncovered, **options):
        report = coverage.build_report()
        out = self.stdout.write
        out(coverage.__doc__.split("\n\n", 1)[1].strip())
        out("")
        header = f"{'source':<48} {'paras':>5} {'bear':>5} {'cov':>5} {'cov%':>6}  " + " ".join(
            f"{kind[:5]:>5}" for kind in KINDS
        )
        out(header)
        out("-" * len(header))
        for row in report.sources:
            out(self.line(row.source.slug, row))
            if uncovered:
                for paragraph in row.uncovered:
                    out(f"    not covered: {paragraph[:90]!r}")
        out("-" * len(header))
        out(self.line("TOTAL", report.totals))
        out("")
        worst = min(report.sources, key=lambda row: row.percent)
        out(f"Lowest coverage: {worst.source.slug} at {worst.percent:.1f}%.")
        lonely = report.countries_without_claims
        names = ", ".join(country.name for country in lonely)
        out(f"Countries with no claim: {len(lonely)}{': ' + names if names else ''}")
        ids = ", ".join(f"#{claim.pk}" for claim in report.claims_without_country_or_clause)
        out(
            f"Claims with neither country nor clause: "
            f"{len(report.claims_without_country_or_clause)}{': ' + ids if ids else ''}"
        )
        debate = coverage.debate_figures()
        out(
            f"Disputes: {debate.disputes}, of which {debate.spanning_documents} draw on more than "
            f"one document (a comment counts as its thread's post)"
        )
        out(
            f"Claims taking a side in a dispute: {debate.placed_claims} of "
            f"{debate.published_claims}"
        )
        out(
            f"Claims with a relation (supports or rebuts): {debate.related_claims} of "
            f"{debate.published_claims} ({debate.related_percent:.1f}%)"
        )
        ids = ", ".join(f"#{pk}" for pk in debate.unlinked)
        out(
            f"Claims in no relation and no dispute: {len(debate.unlinked)} of "
            f"{debate.published_claims}{': ' + ids if ids else ''}"
        )
        out(f"Anchors that fail: {len(report.broken)}")
        for message in report.broken:
            self.stderr.write(f"  {message}")
        if report.broken:
            raise CommandError(f"{len(report.broken)} anchors do not resolve.")

    @staticmethod
    def line(name, row):
        kinds = " ".join(f"{row.kinds.get(kind, 0):>5}" for kind in KINDS)
        return (
            f"{name[:48]:<48} {row.paragraphs:>5} {row.claim_bearing:>5} {row.covered:>5} "
            f"{row.percent:>5.1f}%  {kinds}"
        )
