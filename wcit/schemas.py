"""One shape for each record, for every machine-readable output.

The ninja ``Schema`` classes here are the API's responses (so /api/openapi.json
documents them) and the rows of the ``.json`` downloads; the ``.csv`` downloads
are the same rows flattened (``flatten``), and a claim page's schema.org JSON-LD
(``wcit.views.pages``) is built from the same rows. Lists, wherever they are served,
are paged by ``paginate`` in their model's default order (``DEFAULT_ORDER``), and a
bad parameter is a ``wcit.problems.InvalidParameters``, documented as ``ErrorOut``.
"""

import json
from collections import defaultdict
from datetime import date
from itertools import islice
from typing import Literal

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Field, Schema

from .links import detail_url
from .models import (
    Claim,
    ClaimRelation,
    Clause,
    Country,
    Dispute,
    Source,
    Speaker,
    with_concerns,
)
from .problems import InvalidParameters

API_PAGE_SIZE = 50
# A download is one page of the same pagination: the whole corpus fits in one.
DOWNLOAD_PAGE_SIZE = 10_000

# The order of every list served as data (API and downloads), when no ranking
# applies. Explicit, because Meta.ordering is dropped from GROUP BY queries.
DEFAULT_ORDER = {
    Claim: ["id"],
    Country: ["code"],
    Clause: ["position"],
    Source: ["slug"],
    Speaker: ["name", "slug"],
    ClaimRelation: ["id"],
    Dispute: ["position"],
}


def choices(text_choices):
    """A model's choices as a schema type, inlined: the nested enums are all named “Kind”."""
    return Literal[tuple(text_choices.values)]


def absolute(request, url, **params):
    """``url`` made absolute, with ``params`` as its query string."""
    query = f"?{urlencode(params)}" if params else ""
    return request.build_absolute_uri(url + query)


def html_url(context, obj):
    """Absolute URL of ``obj``'s HTML page, for a resolver given ninja's ``context``."""
    return absolute(context["request"], obj.get_absolute_url())


# The claim-list filter that selects the claims of each browsable model.
CLAIMS_FILTER = {Country: "country", Clause: "clause", Source: "source", Speaker: "speaker"}


class BrowsableOut(Schema):
    """Links of a record that has an HTML page and a filtered claim list."""

    @staticmethod
    def resolve_html_url(obj, context):
        return html_url(context, obj)

    @staticmethod
    def resolve_claims_url(obj, context):
        params = {CLAIMS_FILTER[type(obj)]: obj.key}
        return absolute(context["request"], reverse("api:claim-list"), **params)


def rows(schema, objects, request, batch=2000):
    """Each of ``objects`` as a plain dict in ``schema``'s shape, ``batch`` at a time
    through the schema's ``prepare`` where it has one."""
    context = {"request": request}
    prepare = getattr(schema, "prepare", None)
    objects = iter(objects)
    while chunk := list(islice(objects, batch)):
        if prepare:
            prepare(chunk)
        for obj in chunk:
            yield schema.model_validate(obj, context=context).model_dump(mode="json")


def flatten(value):
    """A row's value as one CSV cell: lists of keys space-separated, records as JSON."""
    if value is None:
        return ""
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return " ".join(str(item) for item in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


# Errors --------------------------------------------------------------------


class Problem(Schema):
    parameter: str = Field(description="The query parameter or path segment at fault.")
    message: str
    allowed: list[str] = Field([], description="Values it accepts, where they can be listed.")


class ErrorOut(Schema):
    """The shape of ``wcit.problems.InvalidParameters`` and of a 404, for the OpenAPI schema."""

    detail: str = Field(description="What was wrong, naming the parameter or the key.")
    problems: list[Problem] = Field([], description="For a 400: each bad parameter.")


# Paging --------------------------------------------------------------------


class Page(Schema):
    count: int = Field(description="Items in the whole list, on every page.")
    next: str | None = Field(description="Absolute URL of the next page, if any.")
    previous: str | None = Field(description="Absolute URL of the previous page, if any.")


def paginate(request, queryset, page_size, count=None):
    """The page the ``page`` parameter asks for, as {count, next, previous, results}.

    ``results`` is a lazy queryset in the list's default order (unless already
    ordered, e.g. by search rank); a page that does not exist is an
    ``InvalidParameters``. ``count``, where the caller knows it, saves counting.
    """
    if not queryset.query.order_by:
        queryset = queryset.order_by(*DEFAULT_ORDER[queryset.model])
    paginator = Paginator(queryset, page_size)
    if count is not None:
        paginator.count = count
    number = request.GET.get("page", "1")
    try:
        # The paginator would take “+1” or a full-width “１” for 1.
        if not (number.isascii() and number.isdigit()):
            raise PageNotAnInteger("That page number is not a whole number.")
        current = paginator.page(number)
    except (EmptyPage, PageNotAnInteger) as error:
        raise InvalidParameters(
            [
                {
                    "parameter": "page",
                    "message": f"“{number}” is not a page of this list: {error}",
                    "allowed": [f"a page number from 1 to {paginator.num_pages}"],
                }
            ]
        ) from None

    def link(page):
        params = request.GET.copy()
        params["page"] = page
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return {
        "count": paginator.count,
        "next": link(current.next_page_number()) if current.has_next() else None,
        "previous": link(current.previous_page_number()) if current.has_previous() else None,
        "results": current.object_list,
    }


# Records -------------------------------------------------------------------


# ClaimRelation's Meta.ordering, on the key columns: ordering by the foreign keys
# themselves would join the claims to order by their Meta.ordering.
RELATION_ORDER = ["from_claim_id", "to_claim_id"]


def with_data_keys(claims):
    """Give each of ``claims`` (a list) ``country_keys``, ``clause_keys`` and
    ``relation_rows`` (its relations to other published claims as dicts, those it makes
    first, then those made to it), in three queries of plain values, and return them.

    Values, not prefetched models: building a model per country, clause and relation
    of a page took more time than the rest of an API request at 100,000 claims.
    """
    by_id = {claim.pk: claim for claim in claims}
    made, received = defaultdict(list), defaultdict(list)
    for claim in claims:
        claim.country_keys, claim.clause_keys = [], []
    links = Claim.countries.through.objects.filter(claim__in=by_id)
    for claim_id, code in links.order_by("country__code").values_list("claim", "country__code"):
        by_id[claim_id].country_keys.append(Country.key_for(code))
    links = Claim.clauses.through.objects.filter(claim__in=by_id)
    ordered = links.order_by("clause__position", "clause")
    for claim_id, code in ordered.values_list("claim", "clause__code"):
        by_id[claim_id].clause_keys.append(code)
    published = Claim.Status.PUBLISHED
    relations = ClaimRelation.objects.filter(
        Q(from_claim__in=by_id, to_claim__status=published)
        | Q(to_claim__in=by_id, from_claim__status=published)
    ).order_by(*RELATION_ORDER)
    fields = ["from_claim", "to_claim", "kind", "note", "from_claim__status", "to_claim__status"]
    for source, target, kind, note, source_status, target_status in relations.values_list(*fields):
        if source in by_id and target_status == published:
            made[source].append({"direction": "out", "kind": kind, "claim": target, "note": note})
        if target in by_id and source_status == published:
            received[target].append(
                {"direction": "in", "kind": kind, "claim": source, "note": note}
            )
    for claim in claims:
        claim.relation_rows = made[claim.pk] + received[claim.pk]
    return claims


class Relation(Schema):
    direction: Literal["out", "in"] = Field(
        description="“out”: this claim supports or rebuts the other; “in”: the other claim "
        "supports or rebuts this one."
    )
    kind: choices(ClaimRelation.Kind)
    claim: int = Field(description="The other claim's id.")
    note: str


class PassageOut(Schema):
    """What every record anchored in a source resolves the same way: claims, clause texts."""

    @staticmethod
    def resolve_source(passage):
        return passage.source.slug

    @staticmethod
    def resolve_start(passage):
        return passage.anchor.start

    @staticmethod
    def resolve_end(passage):
        return passage.anchor.end


class ClaimBase(PassageOut):
    id: int
    source: str = Field(description="Slug of the source the passage is quoted from.")
    quote: str = Field(description="The exact passage, character for character.")
    start: int = Field(description="Offset of the quote in the source's text.")
    end: int = Field(description="Offset just after the quote: text[start:end] == quote.")
    prefix: str
    suffix: str
    summary: str
    speaker: str | None = Field(description="Slug of who asserts it.")
    countries: list[str] = Field(description="Lower-case ISO 3166-1 codes.")
    clauses: list[str] = Field(description="Clause codes.")
    kind: choices(Claim.Kind)
    stance: choices(Claim.Stance) | None
    signature_status: choices(Claim.SignatureStatus) | None
    html_url: str
    passage_url: str = Field(description="The passage, marked, on its source's page here.")
    annotation_url: str

    @staticmethod
    def resolve_speaker(claim):
        return claim.speaker.slug if claim.speaker else None

    @staticmethod
    def resolve_countries(claim):
        keys = claim.__dict__.get("country_keys")  # from with_data_keys()
        return keys if keys is not None else [country.slug for country in claim.countries.all()]

    @staticmethod
    def resolve_clauses(claim):
        keys = claim.__dict__.get("clause_keys")  # from with_data_keys()
        return keys if keys is not None else [clause.code for clause in claim.clauses.all()]

    @staticmethod
    def resolve_stance(claim):
        return claim.stance or None

    @staticmethod
    def resolve_signature_status(claim):
        return claim.signature_status or None

    @staticmethod
    def resolve_html_url(claim, context):
        return html_url(context, claim)

    @staticmethod
    def resolve_passage_url(claim, context):
        return absolute(context["request"], claim.passage_url)

    @staticmethod
    def resolve_annotation_url(claim, context):
        return absolute(context["request"], detail_url("api:claim-annotation", claim.pk))


class ClaimOut(ClaimBase):
    """A claim as the API and the downloads give it: from ``Claim.objects.for_data()``,
    a page at a time through ``prepare``."""

    relations: list[Relation]

    @staticmethod
    def prepare(claims):
        return with_data_keys(claims)

    @staticmethod
    def resolve_relations(claim):
        return claim.relation_rows


class StatusReport(PassageOut):
    status: choices(Claim.SignatureStatus) = Field(alias="signature_status")
    claim: int = Field(alias="pk", description="The claim reporting it.")
    source: str = Field(description="Slug of the claim's source.")
    published: date | None = Field(description="The source's date, where it states one.")

    @staticmethod
    def resolve_published(claim):
        return claim.source.published


class CountryOut(BrowsableOut):
    code: str = Field(description="Lower-case ISO 3166-1 alpha-2 code.")
    name: str
    status: Literal[tuple(value for value, _label in Country.MAP_STATUSES)] = Field(
        description="The status the site's map shows: the latest report's, “disputed” where "
        "the sources disagree, “named” where no source reports one."
    )
    claim_count: int = Field(description="Published claims about the country.")
    statuses: list[StatusReport] = Field(
        description="Signature statuses reported for the country, oldest source first."
    )
    html_url: str
    claims_url: str

    @staticmethod
    def resolve_code(country):
        return country.slug

    @staticmethod
    def resolve_status(country):
        return country.map_status()

    @staticmethod
    def resolve_statuses(country):
        return country.status_reports


class ClauseOut(BrowsableOut):
    code: str
    title: str
    kind: choices(Clause.Kind)
    position: int
    description: str
    is_binding: bool = Field(description="False for the non-binding resolutions.")
    claim_count: int
    html_url: str
    claims_url: str


class ClauseTextOut(PassageOut):
    source: str = Field(description="Slug of the source quoting this version.")
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str
    verbatim: bool = Field(description="False when the source describes rather than quotes.")
    note: str


class ClauseDetail(ClauseOut):
    texts: list[ClauseTextOut] = Field(description="The clause's text as each source gives it.")

    @staticmethod
    def resolve_texts(clause):
        return clause.versions


class SourceBase(BrowsableOut):
    slug: str
    title: str
    kind: choices(Source.Kind)
    author: str | None = Field(description="Slug of the speaker who wrote it.")
    outlet: str
    published: date | None
    url: str | None = Field(description="The original URL, where the text itself gives it.")
    parent: str | None = Field(description="For a comment: slug of the source it answers.")
    position: int = Field(description="Order among the replies to the same parent.")
    html_url: str
    claims_url: str

    @staticmethod
    def resolve_author(source):
        return source.author.slug if source.author else None

    @staticmethod
    def resolve_url(source):
        return source.url or None

    @staticmethod
    def resolve_parent(source):
        return source.parent.slug if source.parent else None


class SourceOut(SourceBase):
    claim_count: int


class SourceDetail(SourceOut):
    text: str = Field(description="The full text; claim offsets count its characters.")
    notes: str
    replies: list[str] = Field(description="Slugs of the direct replies, in thread order.")

    @staticmethod
    def resolve_replies(source):
        return [reply.slug for reply in source.replies.all()]


class SpeakerBase(BrowsableOut):
    slug: str
    name: str
    kind: choices(Speaker.Kind)
    role: str
    country: str | None = Field(description="Lower-case ISO code of the country spoken for.")
    html_url: str
    claims_url: str

    @staticmethod
    def resolve_country(speaker):
        return speaker.country.slug if speaker.country else None


class SpeakerOut(SpeakerBase):
    claim_count: int


class SpeakerDetail(SpeakerOut):
    notes: str


class RelationOut(Schema):
    from_claim: int = Field(alias="from_claim_id")
    to_claim: int = Field(alias="to_claim_id")
    kind: choices(ClaimRelation.Kind)
    note: str
    html_url: str = Field(description="The answering claim's page, which shows the relation.")

    @staticmethod
    def resolve_html_url(relation, context):
        url = detail_url("claim-detail", relation.from_claim_id)
        return context["request"].build_absolute_uri(url)


class PositionOut(Schema):
    key: str
    label: str = Field(description="What the position's claims say.")
    claims: list[int] = Field(description="Ids of the published claims holding it.")

    @staticmethod
    def resolve_claims(position):
        return [claim.pk for claim in position.published_claims]


class DisputeOut(Schema):
    slug: str
    question: str = Field(description="The disagreement, as a neutral question.")
    summary: str
    positions: list[PositionOut] = Field(description="Two or more sides, in order.")
    common_ground: list[int] = Field(description="Ids of claims every side accepts.")
    clauses: list[str] = Field(description="Codes of the clauses its claims are about.")
    countries: list[str] = Field(description="Codes of the countries its claims are about.")
    sources: list[str] = Field(description="Slugs of the sources its claims come from.")
    html_url: str

    @staticmethod
    def prepare(disputes):
        return with_concerns(disputes)

    @staticmethod
    def resolve_positions(dispute):
        return dispute.positions.all()

    @staticmethod
    def resolve_common_ground(dispute):
        return [claim.pk for claim in dispute.published_common_ground]

    @staticmethod
    def resolve_clauses(dispute):
        return [clause.code for clause in dispute.clauses()]

    @staticmethod
    def resolve_countries(dispute):
        return [country.slug for country in dispute.countries()]

    @staticmethod
    def resolve_sources(dispute):
        return [source.slug for source in dispute.sources()]

    @staticmethod
    def resolve_html_url(dispute, context):
        return html_url(context, dispute)
