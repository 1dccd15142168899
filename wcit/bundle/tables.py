"""The corpus as tables: what each holds, in which order, and how the tables refer to each
other. The ZIP writes each as a CSV file, the SQLite file as a table.

A table's rows are the API's records (``wcit.schemas``: ``ClaimOut``, ``SourceDetail``, ...),
as the lists' CSV and JSON downloads give them; a few rows the API does not serve
(positions, clause texts, statements, events, key figures) get a small schema here, and
two records gain the field that a table needs and the API leaves out. Only published
claims, and what refers to them, are in any table: drafts never leave the database.
"""

import types
import typing
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from ninja import Field, Schema

from ..models import (
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
from ..schemas import (
    DEFAULT_ORDER,
    ClaimOut,
    ClauseOut,
    ClauseTextOut,
    CountryOut,
    DisputeOut,
    PassageOut,
    PositionOut,
    RelationOut,
    SourceDetail,
    SpeakerDetail,
    html_url,
)

PUBLISHED = Claim.Status.PUBLISHED


class Site:
    """What the schemas read of a request: the site's address, for their absolute links.

    The files are built once and served to every reader, so they hold the address of
    the site that built them, not of one request.
    """

    def __init__(self, base):
        self.base = base.rstrip("/")

    def build_absolute_uri(self, location):
        return self.base + location


# Rows the API does not serve ------------------------------------------------


class SpeakerRow(SpeakerDetail):
    delegation: str | None = Field(description="Slug of the delegation a person was part of.")

    @staticmethod
    def resolve_delegation(speaker):
        return speaker.delegation.slug if speaker.delegation else None


class ClauseTextRow(ClauseTextOut):
    id: int
    clause: str = Field(description="Code of the clause this is a text of.")

    @staticmethod
    def resolve_clause(text):
        return text.clause.code


class DisputeRow(DisputeOut):
    position: int = Field(description="Order on the dispute list: the most central first.")


class PositionRow(PositionOut):
    id: int
    dispute: str = Field(description="Slug of the dispute this is a side of.")
    order: int = Field(description="Order among the dispute's sides.")

    @staticmethod
    def resolve_dispute(position):
        return position.dispute.slug


class StatementRow(PassageOut):
    slug: str
    title: str
    speaker: str = Field(description="Slug of whose statement it is.")
    source: str
    quote: str = Field(description="The whole statement, as its source quotes it.")
    start: int
    end: int
    prefix: str
    suffix: str
    notes: str
    html_url: str

    @staticmethod
    def resolve_speaker(statement):
        return statement.speaker.slug

    @staticmethod
    def resolve_html_url(statement, context):
        return html_url(context, statement)


class EventRow(Schema):
    id: int
    claim: int = Field(alias="claim_id", description="The claim whose source dates it.")
    happened: date = Field(description="For a month or a year, its first day.")
    precision: typing.Literal[tuple(ClaimEvent.Precision.values)]
    what: str
    occasion: str
    evidence: str = Field(description="The source's words that state the date.")
    note: str


class KeyFigureRow(Schema):
    position: int
    value: str
    label: str
    claim: int = Field(alias="claim_id", description="The claim whose passage states it.")
    topic: typing.Literal[tuple(KeyFigure.Topic.values)]


# The tables -----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A list of keys in a row, as a table of pairs: (row's key, each key in the list)."""

    table: str
    owner: str
    item: str
    references: str


@dataclass(frozen=True)
class Table:
    name: str
    about: str
    schema: type
    objects: typing.Callable
    key: tuple
    # column -> the table whose key it holds
    references: dict = field(default_factory=dict)
    # list field -> its Link table; other list fields are in the CSV only (see ``columns``)
    links: dict = field(default_factory=dict)

    def columns(self):
        """The schema's fields that are one value each: the key first, then in order."""
        fields = [name for name, info in self.schema.model_fields.items() if _scalar(info)]
        return [*self.key, *(name for name in fields if name not in self.key)]

    def fields(self):
        """Every field of a row, as the CSV's header: the key first, then in order."""
        names = list(self.schema.model_fields)
        return [*self.key, *(name for name in names if name not in self.key)]

    def sql_type(self, column):
        kind, nullable = _sql_type(self.schema.model_fields[column].annotation)
        return kind if nullable else f"{kind} NOT NULL"


def _scalar(info):
    return typing.get_origin(info.annotation) is not list and info.annotation is not list


def _sql_type(annotation):
    """(SQLite type, may be NULL) for a schema field's annotation."""
    arguments = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kinds = [argument for argument in arguments if argument is not type(None)]
        return _sql_type(kinds[0])[0], len(kinds) < len(arguments)
    if annotation in (int, bool):
        return "INTEGER", False
    return "TEXT", False


def countries():
    return Country.objects.with_claim_counts().with_status_reports().order_by("code")


def speakers():
    speakers = Speaker.objects.with_claim_counts().select_related("country", "delegation")
    return speakers.order_by(*DEFAULT_ORDER[Speaker])


def sources():
    replies = Source.objects.order_by("position", "slug").only("slug", "parent")
    return (
        Source.objects.with_claim_counts()
        .select_related("author", "parent")
        .defer("parent__text", "parent__notes")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("slug")
    )


def clauses():
    return Clause.objects.with_claim_counts().order_by("position")


def clause_texts():
    return ClauseText.objects.select_related("clause").prefetch_related("source")


def claims():
    return Claim.objects.published().for_data().order_by("id")


def relations():
    return ClaimRelation.objects.published().order_by("id")


def disputes():
    return Dispute.objects.for_list().order_by("position")


def positions():
    claims = Claim.objects.published().only("pk").order_by("id")
    return (
        Position.objects.select_related("dispute")
        .prefetch_related(Prefetch("claims", queryset=claims, to_attr="published_claims"))
        .order_by("dispute__position", "order", "key")
    )


def statements():
    return Statement.objects.select_related("speaker").prefetch_related("source").order_by("slug")


def events():
    return ClaimEvent.objects.filter(claim__status=PUBLISHED).order_by("happened", "claim", "id")


def key_figures():
    return KeyFigure.objects.published().order_by("position")


CLAIMS = "claims"

# In an order where each table refers only to tables above it (or to itself).
TABLES = [
    Table("countries", "every country the sources name", CountryOut, countries, ("code",)),
    Table(
        "speakers",
        "people, delegations and organisations who assert claims",
        SpeakerRow,
        speakers,
        ("slug",),
        {"country": "countries", "delegation": "speakers"},
    ),
    Table(
        "sources",
        "the documents, each comment of the blog thread its own source, with their texts",
        SourceDetail,
        sources,
        ("slug",),
        {"author": "speakers", "parent": "sources"},
    ),
    Table("clauses", "the contested clauses, in treaty order", ClauseOut, clauses, ("code",)),
    Table(
        "clause_texts",
        "each clause's text as a source gives it, with its passage's offsets",
        ClauseTextRow,
        clause_texts,
        ("id",),
        {"clause": "clauses", "source": "sources"},
    ),
    Table(
        CLAIMS,
        "the published claims, each with its passage: quote, start and end in its source's text",
        ClaimOut,
        claims,
        ("id",),
        {"source": "sources", "speaker": "speakers"},
        {
            "countries": Link("claim_countries", "claim", "country", "countries"),
            "clauses": Link("claim_clauses", "claim", "clause", "clauses"),
        },
    ),
    Table(
        "relations",
        "claims that support or rebut other claims",
        RelationOut,
        relations,
        ("from_claim", "to_claim"),
        {"from_claim": CLAIMS, "to_claim": CLAIMS},
    ),
    Table(
        "disputes",
        "the disagreements the sources contain, as neutral questions",
        DisputeRow,
        disputes,
        ("slug",),
        links={"common_ground": Link("dispute_common_ground", "dispute", "claim", CLAIMS)},
    ),
    Table(
        "positions",
        "the sides of each dispute, and the claims holding each",
        PositionRow,
        positions,
        ("id",),
        {"dispute": "disputes"},
        {"claims": Link("position_claims", "position", "claim", CLAIMS)},
    ),
    Table(
        "statements",
        "statements a source quotes whole",
        StatementRow,
        statements,
        ("slug",),
        {"speaker": "speakers", "source": "sources"},
    ),
    Table(
        "events",
        "dates of what claims describe, as their sources state them",
        EventRow,
        events,
        ("id",),
        {"claim": CLAIMS},
    ),
    Table(
        "key_figures",
        "the overview's figures, each from a claim's passage",
        KeyFigureRow,
        key_figures,
        ("position",),
        {"claim": CLAIMS},
    ),
]
BY_NAME = {table.name: table for table in TABLES}
