"""The fixture files: which model each holds, in what order they load and export."""

from pathlib import Path

from django.core import serializers
from django.db.models import Prefetch

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
# in git the commit that brings the change in says who and when. A claim's answer
# count is derived from the relations, and recounted when they load.
NOT_EXPORTED = {Claim: {"published_at", "published_by", "answer_count"}}


def exported_fields(model):
    """The names of the fields ``export_fixtures`` writes for ``model``: not those the
    database computes (the search document), nor those ``NOT_EXPORTED`` leaves out."""
    skipped = NOT_EXPORTED.get(model, set())
    return [
        f.name
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not f.primary_key and f.serialize and not f.generated and f.name not in skipped
    ]


def fixture_querysets(public=False):
    """(file name, model, queryset) for each fixture file, in load order: the records
    ``export_fixtures`` writes, in its order, each with the related records whose keys
    the serializer names prefetched (one query a chunk, not one a record).

    ``public`` leaves out what readers never see: claims not published, and every record
    that names one (a relation, an event, a figure, a place on a side or in a common ground).
    """
    for name, model, order in FIXTURES:
        queryset = model._default_manager.order_by(*order)
        exported = set(exported_fields(model))
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if field.name not in exported or not field.is_relation:
                continue
            related = field.related_model
            if public and related is Claim and not field.many_to_many:
                queryset = queryset.filter(**{f"{field.name}__status": Claim.Status.PUBLISHED})
            if field.many_to_many and field.remote_field.through._meta.auto_created:
                chosen = related._default_manager.all()
                if public and related is Claim:
                    chosen = chosen.filter(status=Claim.Status.PUBLISHED)
                queryset = queryset.prefetch_related(Prefetch(field.name, queryset=chosen))
            elif not field.many_to_many and hasattr(related, "natural_key"):
                queryset = queryset.prefetch_related(field.name)
        if public and model is Claim:
            queryset = queryset.filter(status=Claim.Status.PUBLISHED)
        yield name, model, queryset


def write_fixture(model, queryset, stream):
    """Write ``queryset`` to ``stream`` as ``export_fixtures`` does: natural keys, indented,
    a chunk of records at a time (100,000 claims are never all in memory)."""
    serializers.serialize(
        "json",
        queryset.iterator(chunk_size=2000),
        stream=stream,
        indent=2,
        fields=exported_fields(model),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    stream.write("\n")


def fixture_paths(folder=None):
    """The fixture files in load order, in ``folder`` (default: the checkout's fixtures/)."""
    folder = folder or FIXTURES_DIR
    return [folder / name for name, _model, _order in FIXTURES]


def broken_anchors():
    """A message for every claim, clause text and statement whose quote does not resolve."""
    passages = [
        *ClauseText.objects.select_related("source", "clause"),
        *Statement.objects.select_related("source"),
        *Claim.objects.select_related("source").order_by("id"),
    ]
    return [message for passage in passages if (message := passage.anchor_error())]
