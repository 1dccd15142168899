"""The fixture files: which model each holds, in what order they load and export."""

from pathlib import Path

from .models import (
    Claim,
    ClaimEvent,
    ClaimRelation,
    Clause,
    ClauseText,
    Country,
    Dispute,
    KeyFigure,
    Position,
    Source,
    Speaker,
    Statement,
)

# At the top of the checkout, beside the templates and static files.
FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS_DIR = FIXTURES_DIR / "seeds"

# Load order: every file refers only to files above it. Each queryset's order is
# the export order, chosen so that exported files diff readably and reproducibly.
FIXTURES = [
    ("countries.json", Country, ["code"]),
    ("speakers.json", Speaker, ["slug"]),
    ("sources.json", Source, ["slug"]),
    ("statements.json", Statement, ["slug"]),
    ("clauses.json", Clause, ["position"]),
    ("clause_texts.json", ClauseText, ["id"]),
    ("claims.json", Claim, ["id"]),
    ("relations.json", ClaimRelation, ["id"]),
    ("events.json", ClaimEvent, ["happened", "claim", "id"]),
    ("disputes.json", Dispute, ["position"]),
    ("dispute_positions.json", Position, ["dispute__position", "order", "key"]),
    ("key_figures.json", KeyFigure, ["position"]),
]


# Curation bookkeeping kept in the database and its history, not in git: who
# published a claim refers to a user account, which the fixtures do not hold;
# in git the commit that brings the change in says who and when.
NOT_EXPORTED = {Claim: {"published_at", "published_by"}}


def exported_fields(model):
    """The names of the fields ``export_fixtures`` writes for ``model``: not those the
    database computes (the search document), nor those ``NOT_EXPORTED`` leaves out."""
    skipped = NOT_EXPORTED.get(model, set())
    return [
        f.name
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not f.primary_key and f.serialize and not f.generated and f.name not in skipped
    ]


def fixture_paths():
    return [FIXTURES_DIR / name for name, _model, _order in FIXTURES]


def broken_anchors():
    """A message for every claim, clause text and statement whose quote does not resolve."""
    passages = [
        *ClauseText.objects.select_related("source", "clause"),
        *Statement.objects.select_related("source"),
        *Claim.objects.select_related("source").order_by("id"),
    ]
    return [message for passage in passages if (message := passage.anchor_error())]
