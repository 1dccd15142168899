"""The fixture files: which model each holds, in what order they load and export."""

from django.conf import settings

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
