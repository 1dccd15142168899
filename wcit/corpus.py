"""The fixture files: which model each holds, in what order they load and export."""

from django.conf import settings

from . import cache
from .models import (
    Claim,
    ClaimRelation,
    Clause,
    ClauseText,
    Country,
    KeyFigure,
    Source,
    Speaker,
)

FIXTURES_DIR = settings.BASE_DIR / "fixtures"

# Load order: every file refers only to files above it. Each queryset's order is
# the export order, chosen so that exported files diff readably and reproducibly.
FIXTURES = [
    ("countries.json", Country, ["code"]),
    ("speakers.json", Speaker, ["slug"]),
    ("sources.json", Source, ["slug"]),
    ("clauses.json", Clause, ["position"]),
    ("clause_texts.json", ClauseText, ["id"]),
    ("claims.json", Claim, ["id"]),
    ("relations.json", ClaimRelation, ["id"]),
    ("key_figures.json", KeyFigure, ["position"]),
]


def fixture_paths():
    return [FIXTURES_DIR / name for name, _model, _order in FIXTURES]


def broken_anchors():
    """A message for every claim and clause text whose quote does not resolve."""
    passages = [
        *ClauseText.objects.select_related("source", "clause"),
        *Claim.objects.select_related("source").order_by("id"),
    ]
    return [message for passage in passages if (message := passage.anchor_error())]


def generate_claims(total, summary=None, relate=False, batch=5000):
    """Add ``total`` published copies of the real claims, for tests and benchmarks.

    Copies keep their original's passage, so every anchor still resolves; they
    keep its countries and clauses; ``summary(original, i)`` varies the text;
    with ``relate`` each copy supports its original. Signature status is not
    copied: generated claims report nothing about countries.
    """
    originals = list(Claim.objects.prefetch_related("countries", "clauses").order_by("id"))
    summary = summary or (lambda original, i: f"Generated copy {i} of claim {original.pk}.")
    created = []
    for offset in range(0, total, batch):
        chosen = [
            (offset + i, originals[(offset + i) % len(originals)])
            for i in range(min(batch, total - offset))
        ]
        copies = Claim.objects.bulk_create(
            Claim(
                source_id=original.source_id,
                quote=original.quote,
                prefix=original.prefix,
                suffix=original.suffix,
                summary=summary(original, i),
                speaker_id=original.speaker_id,
                kind=original.kind,
                stance=original.stance,
                status=Claim.Status.PUBLISHED,
            )
            for i, original in chosen
        )
        pairs = list(zip(copies, (original for _i, original in chosen), strict=True))
        Claim.countries.through.objects.bulk_create(
            Claim.countries.through(claim_id=copy.pk, country_id=country.pk)
            for copy, original in pairs
            for country in original.countries.all()
        )
        Claim.clauses.through.objects.bulk_create(
            Claim.clauses.through(claim_id=copy.pk, clause_id=clause.pk)
            for copy, original in pairs
            for clause in original.clauses.all()
        )
        if relate:
            ClaimRelation.objects.bulk_create(
                ClaimRelation(from_claim=copy, to_claim=original, kind="supports")
                for copy, original in pairs
            )
        created += copies
    # bulk_create sends no signals: say here that the data changed.
    cache.bump_on_commit()
    return created
