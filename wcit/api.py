"""The read-only JSON API under /api/: the reading pages' data for programs.

Schemas are ninja ``Schema`` classes, so /api/openapi.json is generated from
this module. Lists are paged like the HTML lists and the claim list takes the
HTML list's filters (``ClaimFilter``), with the same 400 for a bad value.
"""

from datetime import date
from typing import Literal

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError

from .filters import NO_STANCE, ClaimFilter, filter_problems
from .models import (
    Claim,
    ClaimRelation,
    Clause,
    Country,
    Source,
    Speaker,
)
from .views import status_reports

api = NinjaAPI(
    title="wcit read API",
    version="1",
    description="The WCIT-12 debate as read-only JSON: claims anchored in their sources, "
    "countries, clauses, sources, speakers and the relations between claims.",
    urls_namespace="api",
    docs_url="/docs",
)

PAGE_SIZE = 50
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION_MEDIA_TYPE = f'application/ld+json; profile="{ANNOTATION_CONTEXT}"'
# Path values that cannot be a key never reach the database: a "/" would not even
# reach this API, and PostgreSQL refuses NUL characters with an error, not a miss.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
COUNTRY_PATTERN = r"^[a-zA-Z]{2}$"


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


def claims_url(context, **params):
    """Absolute URL of the API claim list filtered by ``params``."""
    return absolute(context["request"], reverse("api:claim-list"), **params)


# Schemas -------------------------------------------------------------------


class Error(Schema):
    detail: str = Field(description="What was wrong, naming the parameter or the key.")


class Relation(Schema):
    direction: Literal["out", "in"] = Field(
        description="“out”: this claim supports or rebuts the other; “in”: the other claim "
        "supports or rebuts this one."
    )
    kind: choices(ClaimRelation.Kind)
    claim: int = Field(description="The other claim's id.")
    note: str


class ClaimOut(Schema):
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
    relations: list[Relation]
    html_url: str
    annotation_url: str

    @staticmethod
    def resolve_source(claim):
        return claim.source.slug

    @staticmethod
    def resolve_start(claim):
        return claim.anchor.start

    @staticmethod
    def resolve_end(claim):
        return claim.anchor.end

    @staticmethod
    def resolve_speaker(claim):
        return claim.speaker.slug if claim.speaker else None

    @staticmethod
    def resolve_countries(claim):
        return [country.slug for country in claim.countries.all()]

    @staticmethod
    def resolve_clauses(claim):
        return [clause.code for clause in claim.clauses.all()]

    @staticmethod
    def resolve_stance(claim):
        return claim.stance or None

    @staticmethod
    def resolve_signature_status(claim):
        return claim.signature_status or None

    @staticmethod
    def resolve_relations(claim):
        return [
            *(
                {"direction": "out", "kind": r.kind, "claim": r.to_claim_id, "note": r.note}
                for r in claim.relations_out.all()
            ),
            *(
                {"direction": "in", "kind": r.kind, "claim": r.from_claim_id, "note": r.note}
                for r in claim.relations_in.all()
            ),
        ]

    @staticmethod
    def resolve_html_url(claim, context):
        return html_url(context, claim)

    @staticmethod
    def resolve_annotation_url(claim, context):
        url = reverse("api:claim-annotation", args=[claim.pk])
        return context["request"].build_absolute_uri(url)


class StatusReport(Schema):
    status: choices(Claim.SignatureStatus)
    claim: int = Field(description="The claim reporting it.")
    source: str = Field(description="Slug of the claim's source.")


class CountryOut(Schema):
    code: str = Field(description="Lower-case ISO 3166-1 alpha-2 code.")
    name: str
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
    def resolve_statuses(country):
        return [
            {"status": claim.signature_status, "claim": claim.pk, "source": claim.source.slug}
            for claim in country.reports
        ]

    @staticmethod
    def resolve_html_url(country, context):
        return html_url(context, country)

    @staticmethod
    def resolve_claims_url(country, context):
        return claims_url(context, country=country.slug)


class ClauseOut(Schema):
    code: str
    title: str
    kind: choices(Clause.Kind)
    position: int
    description: str
    is_binding: bool = Field(description="False for the non-binding resolutions.")
    claim_count: int
    html_url: str
    claims_url: str

    @staticmethod
    def resolve_html_url(clause, context):
        return html_url(context, clause)

    @staticmethod
    def resolve_claims_url(clause, context):
        return claims_url(context, clause=clause.code)


class ClauseTextOut(Schema):
    source: str = Field(description="Slug of the source quoting this version.")
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str
    verbatim: bool = Field(description="False when the source describes rather than quotes.")
    note: str

    @staticmethod
    def resolve_source(text):
        return text.source.slug

    @staticmethod
    def resolve_start(text):
        return text.anchor.start

    @staticmethod
    def resolve_end(text):
        return text.anchor.end


class ClauseDetail(ClauseOut):
    texts: list[ClauseTextOut] = Field(description="The clause's text as each source gives it.")

    @staticmethod
    def resolve_texts(clause):
        return clause.versions


class SourceOut(Schema):
    slug: str
    title: str
    kind: choices(Source.Kind)
    author: str | None = Field(description="Slug of the speaker who wrote it.")
    outlet: str
    published: date | None
    url: str | None = Field(description="The original URL, where the text itself gives it.")
    parent: str | None = Field(description="For a comment: slug of the source it answers.")
    position: int = Field(description="Order among the replies to the same parent.")
    claim_count: int
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

    @staticmethod
    def resolve_html_url(source, context):
        return html_url(context, source)

    @staticmethod
    def resolve_claims_url(source, context):
        return claims_url(context, source=source.slug)


class SourceDetail(SourceOut):
    text: str = Field(description="The full text; claim offsets count its characters.")
    notes: str
    replies: list[str] = Field(description="Slugs of the direct replies, in thread order.")

    @staticmethod
    def resolve_replies(source):
        return [reply.slug for reply in source.replies.all()]


class SpeakerOut(Schema):
    slug: str
    name: str
    kind: choices(Speaker.Kind)
    role: str
    country: str | None = Field(description="Lower-case ISO code of the country spoken for.")
    claim_count: int
    html_url: str
    claims_url: str

    @staticmethod
    def resolve_country(speaker):
        return speaker.country.slug if speaker.country else None

    @staticmethod
    def resolve_html_url(speaker, context):
        return html_url(context, speaker)

    @staticmethod
    def resolve_claims_url(speaker, context):
        return claims_url(context, speaker=speaker.slug)


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
        url = reverse("claim-detail", args=[relation.from_claim_id])
        return context["request"].build_absolute_uri(url)


class Page(Schema):
    count: int = Field(description="Items in the whole list, on every page.")
    next: str | None = Field(description="Absolute URL of the next page, if any.")
    previous: str | None = Field(description="Absolute URL of the previous page, if any.")


class ClaimPage(Page):
    results: list[ClaimOut]


class CountryPage(Page):
    results: list[CountryOut]


class ClausePage(Page):
    results: list[ClauseOut]


class SourcePage(Page):
    results: list[SourceOut]


class SpeakerPage(Page):
    results: list[SpeakerOut]


class RelationPage(Page):
    results: list[RelationOut]


class TextualBody(Schema):
    type: Literal["TextualBody"] = "TextualBody"
    value: str
    format: Literal["text/plain"] = "text/plain"
    purpose: Literal["describing"] = "describing"


class TextQuoteSelector(Schema):
    type: Literal["TextQuoteSelector"] = "TextQuoteSelector"
    exact: str
    prefix: str
    suffix: str


class TextPositionSelector(Schema):
    type: Literal["TextPositionSelector"] = "TextPositionSelector"
    start: int
    end: int


class Target(Schema):
    type: Literal["SpecificResource"] = "SpecificResource"
    source: str
    selector: list[TextQuoteSelector | TextPositionSelector]


class Annotation(Schema):
    context: Literal["http://www.w3.org/ns/anno.jsonld"] = Field(alias="@context")
    id: str
    type: Literal["Annotation"] = "Annotation"
    motivation: Literal["describing"] = "describing"
    body: TextualBody
    target: list[Target] = Field(
        description="The passage in the source's page on this site, where both selectors "
        "hold; then, when known, in the original document, where only the quote selector "
        "does (its offsets count characters of the text as stored here)."
    )


class ClaimFilters(Schema):
    # Documentation only: ClaimFilter validates the query string, as on the HTML list,
    # so a bad value gets the same message. An empty value means no filter, as when
    # the HTML form is sent with a field left blank.
    q: str = Field("", description="Words that must all be in the summary or quote.")
    country: str = Field("", description="Lower-case ISO code, e.g. “se”.")
    clause: str = Field("", description="Clause code, e.g. “5b”.")
    source: str = Field("", description="Source slug.")
    speaker: str = Field("", description="Speaker slug.")
    kind: str = Field("", json_schema_extra={"enum": ["", *Claim.Kind.values]})
    stance: str = Field(
        "",
        description=f"“{NO_STANCE}” for claims without a stance.",
        json_schema_extra={"enum": ["", *Claim.Stance.values, NO_STANCE]},
    )


PageNumber = Query(1, ge=1, description=f"Page of {PAGE_SIZE} items, from 1.")


# Errors --------------------------------------------------------------------


@api.exception_handler(ValidationError)
def invalid_parameter(request, exc):
    """A path value of the wrong shape is an unknown key (404); a bad query value is a 400."""
    if any(error["loc"][0] == "path" for error in exc.errors):
        what = request.resolver_match.url_name.split("-")[0]
        value = next(iter(request.resolver_match.kwargs.values()), "")
        return api.create_response(request, {"detail": f"No {what} “{value}”."}, status=404)
    problems = []
    for error in exc.errors:
        name = error["loc"][-1]
        problems.append(f"{name}: “{request.GET.get(name, '')}” is not allowed. {error['msg']}.")
    return api.create_response(request, {"detail": " ".join(problems)}, status=400)


def get_or_404(queryset, what, key, **lookup):
    """The one object of ``queryset`` matching ``lookup``, or a JSON 404 naming ``key``."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise HttpError(404, f"No {what} “{key}”.") from None


def paginate(request, queryset, page):
    """Page ``page`` of ``queryset`` with absolute links to its neighbours."""
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        current = paginator.page(page)
    except EmptyPage as error:
        raise HttpError(
            400,
            f"page: “{page}” is not a page of this list ({error}). "
            f"Allowed: 1 to {paginator.num_pages}.",
        ) from None

    def link(number):
        params = request.GET.copy()
        params["page"] = number
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return {
        "count": paginator.count,
        "next": link(current.next_page_number()) if current.has_next() else None,
        "previous": link(current.previous_page_number()) if current.has_previous() else None,
        "results": list(current.object_list),
    }


ERRORS = {400: Error, 404: Error}


# Claims --------------------------------------------------------------------


def published_claims():
    """Published claims with all an API claim shows, relations to unpublished ones left out."""
    return Claim.objects.published().for_list().with_relations()


@api.get(
    "/claims/",
    response={200: ClaimPage, **ERRORS},
    url_name="claim-list",
    tags=["claims"],
)
def claim_list(request, filters: Query[ClaimFilters], page: int = PageNumber):
    """Published claims, filtered as on the HTML claim list."""
    # ``filters`` only declares the parameters; ClaimFilter reads them from request.GET.
    filterset = ClaimFilter(request.GET, queryset=published_claims())
    if not filterset.is_valid():
        raise HttpError(
            400,
            " ".join(
                f"{name}: {message}" + (f" Allowed: {', '.join(allowed)}." if allowed else "")
                for name, message, allowed in filter_problems(filterset, request.GET)
            ),
        )
    return paginate(request, filterset.qs, page)


@api.get(
    "/claims/{id}/",
    response={200: ClaimOut, **ERRORS},
    url_name="claim-detail",
    tags=["claims"],
)
def claim_detail(request, id: int):
    """One published claim."""
    return get_or_404(published_claims(), "claim", id, pk=id)


@api.get(
    "/claims/{id}/annotation",
    response={200: Annotation, **ERRORS},
    url_name="claim-annotation",
    tags=["claims"],
    by_alias=True,
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    ANNOTATION_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Annotation"}}
                }
            }
        }
    },
)
def claim_annotation(request, response: HttpResponse, id: int):
    """One published claim as a W3C Web Annotation of its passage."""
    claim = get_or_404(Claim.objects.published().select_related("source"), "claim", id, pk=id)
    quote = {
        "type": "TextQuoteSelector",
        "exact": claim.quote,
        "prefix": claim.prefix,
        "suffix": claim.suffix,
    }
    position = {
        "type": "TextPositionSelector",
        "start": claim.anchor.start,
        "end": claim.anchor.end,
    }
    targets = [
        {
            "source": absolute(request, claim.source.get_absolute_url()),
            "selector": [quote, position],
        }
    ]
    if claim.source.url:
        targets.append({"source": claim.source.url, "selector": [quote]})
    response["Content-Type"] = ANNOTATION_MEDIA_TYPE
    return {
        "@context": ANNOTATION_CONTEXT,
        "id": request.build_absolute_uri(request.path),
        "body": {"value": claim.summary},
        "target": targets,
    }


# Countries, clauses, sources, speakers, relations --------------------------
# The lists order explicitly: Meta.ordering is dropped from the GROUP BY queries
# that with_claim_counts() makes, and pages need a stable order.


def attach_reports(countries):
    """Give each country its reported signature statuses (one query for them all)."""
    reports = status_reports()
    for country in countries:
        country.reports = reports.get(country.pk, [])
    return countries


@api.get(
    "/countries/",
    response={200: CountryPage, **ERRORS},
    url_name="country-list",
    tags=["countries"],
)
def country_list(request, page: int = PageNumber):
    """Every country the sources speak of, by ISO code."""
    result = paginate(request, Country.objects.with_claim_counts().order_by("code"), page)
    attach_reports(result["results"])
    return result


@api.get(
    "/countries/{code}/",
    response={200: CountryOut, **ERRORS},
    url_name="country-detail",
    tags=["countries"],
)
def country_detail(request, code: str = Path(..., pattern=COUNTRY_PATTERN)):
    """One country, by its ISO code."""
    countries = Country.objects.with_claim_counts()
    country = get_or_404(countries, "country", code, code=code.upper())
    return attach_reports([country])[0]


@api.get(
    "/clauses/",
    response={200: ClausePage, **ERRORS},
    url_name="clause-list",
    tags=["clauses"],
)
def clause_list(request, page: int = PageNumber):
    """The contested clauses, in treaty order."""
    return paginate(request, Clause.objects.with_claim_counts().order_by("position"), page)


@api.get(
    "/clauses/{code}/",
    response={200: ClauseDetail, **ERRORS},
    url_name="clause-detail",
    tags=["clauses"],
)
def clause_detail(request, code: str = Path(..., pattern=SLUG_PATTERN)):
    """One clause with its text as each source gives it."""
    clauses = Clause.objects.with_claim_counts().with_versions()
    return get_or_404(clauses, "clause", code, code=code)


@api.get(
    "/sources/",
    response={200: SourcePage, **ERRORS},
    url_name="source-list",
    tags=["sources"],
)
def source_list(request, page: int = PageNumber):
    """The documents of the corpus, each comment a source of its own; texts left out."""
    sources = (
        Source.objects.with_claim_counts()
        .select_related("author", "parent")
        .defer("text", "notes", "parent__text", "parent__notes")
        .order_by("slug")
    )
    return paginate(request, sources, page)


@api.get(
    "/sources/{slug}/",
    response={200: SourceDetail, **ERRORS},
    url_name="source-detail",
    tags=["sources"],
)
def source_detail(request, slug: str = Path(..., pattern=SLUG_PATTERN)):
    """One source with its full text."""
    replies = Source.objects.order_by("position", "slug").only("slug", "parent")
    sources = (
        Source.objects.with_claim_counts()
        .select_related("author", "parent")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )
    return get_or_404(sources, "source", slug, slug=slug)


@api.get(
    "/speakers/",
    response={200: SpeakerPage, **ERRORS},
    url_name="speaker-list",
    tags=["speakers"],
)
def speaker_list(request, page: int = PageNumber):
    """Who asserts the claims: people, delegations and organisations."""
    speakers = (
        Speaker.objects.with_claim_counts().select_related("country").order_by("name", "slug")
    )
    return paginate(request, speakers, page)


@api.get(
    "/speakers/{slug}/",
    response={200: SpeakerDetail, **ERRORS},
    url_name="speaker-detail",
    tags=["speakers"],
)
def speaker_detail(request, slug: str = Path(..., pattern=SLUG_PATTERN)):
    """One speaker."""
    speakers = Speaker.objects.with_claim_counts().select_related("country")
    return get_or_404(speakers, "speaker", slug, slug=slug)


@api.get(
    "/relations/",
    response={200: RelationPage, **ERRORS},
    url_name="relation-list",
    tags=["relations"],
)
def relation_list(request, page: int = PageNumber):
    """Claims that support or rebut other claims, both published."""
    # between() also joins both claims' sources, which a relation row never shows.
    relations = ClaimRelation.objects.between(Claim.objects.published().values("pk"))
    return paginate(request, relations.select_related(None), page)
