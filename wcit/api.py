"""The read-only JSON API under /api/: the reading pages' data for programs.

Schemas are ninja ``Schema`` classes, so /api/openapi.json is generated from
this module. Lists are paged like the HTML lists and the claim list takes the
HTML list's filters (``ClaimFilter``), with the same 400 for a bad value.
"""

from typing import Literal, get_origin

import django_filters
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import create_model

from . import cache
from .filters import (
    COUNTRY_CODE,
    SLUG,
    ClaimFilter,
    CountryFilter,
    DisputeFilter,
    SourceFilter,
    SpeakerFilter,
    validated,
)
from .models import Claim, ClaimRelation, Clause, Country, Dispute, Source, Speaker
from .problems import InvalidParameters
from .schemas import (
    API_PAGE_SIZE,
    ClaimOut,
    ClauseDetail,
    ClauseOut,
    CountryOut,
    DisputeOut,
    ErrorOut,
    Page,
    RelationOut,
    SourceDetail,
    SourceOut,
    SpeakerDetail,
    SpeakerOut,
    absolute,
    paginate,
)

api = NinjaAPI(
    title="wcit read API",
    version="1",
    description="The WCIT-12 debate as read-only JSON: claims anchored in their sources, "
    "countries, clauses, sources, speakers and the relations between claims.",
    urls_namespace="api",
    docs_url="/docs",
)

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION_MEDIA_TYPE = f'application/ld+json; profile="{ANNOTATION_CONTEXT}"'
# Path values that cannot be a key never reach the database: a "/" would not even
# reach this API, and PostgreSQL refuses NUL characters with an error, not a miss.
SLUG_PATTERN = f"^{SLUG}$"
COUNTRY_PATTERN = f"^{COUNTRY_CODE}$"


# Pages ---------------------------------------------------------------------


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


class DisputePage(Page):
    results: list[DisputeOut]


# Web Annotation ------------------------------------------------------------


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


def query_schema(filterset_class=None):
    """A list's query parameters for the OpenAPI schema, made from its FilterSet so that the
    two cannot drift: one optional value per filter, described by the FilterSet's ``help``
    (else its label), listing its choices where they are fixed, else the shape of a value;
    then ``page``. Documentation, and the parameters ``wcit.middleware`` holds requests to:
    the FilterSet validates ``request.GET``, as on the HTML list, so a bad value gets the
    same message; an empty value means no filter, as when the HTML form leaves a field blank."""
    fields = {}
    filters = filterset_class.base_filters if filterset_class else {}
    for name, each in filters.items():
        choices = each.extra.get("choices")
        several = isinstance(each, django_filters.MultipleChoiceFilter)
        extra = {}
        if choices is not None and not callable(choices):
            values = [str(value) for value, _ in choices]
            extra["json_schema_extra"] = (
                {"items": {"type": "string", "enum": values}}
                if several
                else {"enum": ["", *values]}
            )
        elif getattr(each, "pattern", None):
            extra["pattern"] = f"^(?:{each.pattern})?$"  # or empty: no filter
        description = getattr(filterset_class, "help", {}).get(name, str(each.label))
        kind, default = (list[str], []) if several else (str, "")
        fields[name] = (kind, Field(default, description=description, **extra))
    page = Field(1, ge=1, description=f"Page of {API_PAGE_SIZE} items, from 1 to the last.")
    fields["page"] = (int, page)
    name = filterset_class.__name__ if filterset_class else "Page"
    return create_model(f"{name}Query", __base__=Schema, **fields)


ClaimQuery = query_schema(ClaimFilter)
CountryQuery = query_schema(CountryFilter)
DisputeQuery = query_schema(DisputeFilter)
SourceQuery = query_schema(SourceFilter)
SpeakerQuery = query_schema(SpeakerFilter)
PageQuery = query_schema()


# Errors: wcit.problems' shape (ErrorOut), as on every other output ---------


@api.exception_handler(InvalidParameters)
def invalid_parameters(request, exc):
    return api.create_response(request, exc.as_dict(), status=400)


@api.exception_handler(ValidationError)
def invalid_parameter(request, exc):
    """A path value of the wrong shape is an unknown key (404); a bad query value is a 400."""
    if any(error["loc"][0] == "path" for error in exc.errors):
        what = request.resolver_match.url_name.split("-")[0]
        value = next(iter(request.resolver_match.kwargs.values()), "")
        return api.create_response(request, {"detail": f"No {what} “{value}”."}, status=404)
    problems = [
        {
            "parameter": str(error["loc"][-1]),
            "message": f"“{request.GET.get(error['loc'][-1], '')}” is not allowed. {error['msg']}.",
        }
        for error in exc.errors
    ]
    return invalid_parameters(request, InvalidParameters(problems))


def get_or_404(queryset, what, key, **lookup):
    """The one object of ``queryset`` matching ``lookup``, or a JSON 404 naming ``key``."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise HttpError(404, f"No {what} “{key}”.") from None


def page_of(request, filterset_class, queryset):
    """The requested page of ``queryset`` as filtered by the list's FilterSet."""
    filterset = validated(filterset_class(request.GET, queryset=queryset, request=request))
    return read_page(request, filterset.qs, count=cache.per_version(filterset.count))


def read_page(request, queryset, count=None):
    """``paginate``'s page of ``queryset``, its rows read from the database now; its count,
    where not given, once per data version.

    Not while ninja validates the response: pydantic turns an error raised then into
    a ValidationError of the output (a 500); raised here, a database error is a 503.
    """
    if count is None:
        count = cache.per_version(queryset.count)
    page = paginate(request, queryset, API_PAGE_SIZE, count=count)
    page["results"] = list(page["results"])
    return page


ERRORS = {400: ErrorOut, 404: ErrorOut}
# Each endpoint's query parameters, by URL name (``urls()`` gives them to its view).
QUERY = {}


def get(path, schema, url_name, query=None, **options):
    """Register a GET endpoint answering ``schema``, or ``ErrorOut`` for a 400 or a 404, and
    taking the query parameters of the Schema ``query`` (none if None).

    Its OpenAPI tag is the path's first segment ("claims", "countries", ...).
    """
    QUERY[url_name] = query
    tag = path.strip("/").split("/")[0]
    return api.get(path, response={200: schema, **ERRORS}, url_name=url_name, tags=[tag], **options)


def urls():
    """``api.urls``, each view knowing the query parameters it takes, for ``wcit.middleware``
    to refuse any other: those its Schema declares, the lists among them several values."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        fields = QUERY[pattern.name].model_fields if QUERY.get(pattern.name) else {}
        view = pattern.callback
        view.query_parameters = tuple(fields)
        view.multiple_parameters = tuple(
            name for name, field in fields.items() if get_origin(field.annotation) is list
        )
    return patterns, app_name, namespace


# Claims --------------------------------------------------------------------


def published_claims():
    """Published claims with all an API claim shows, relations to unpublished ones left out."""
    return Claim.objects.published().for_data()


@get("/claims/", ClaimPage, "claim-list", ClaimQuery)
def claim_list(request, query: Query[ClaimQuery]):
    """Published claims, filtered as on the HTML claim list."""
    # ``query`` only declares the parameters; ClaimFilter reads them from request.GET.
    page = page_of(request, ClaimFilter, published_claims())
    ClaimOut.prepare(page["results"])
    return page


@get("/claims/{id}/", ClaimOut, "claim-detail")
def claim_detail(request, id: int):
    """One published claim."""
    claim = get_or_404(published_claims(), "claim", id, pk=id)
    return ClaimOut.prepare([claim])[0]


@get(
    "/claims/{id}/annotation",
    Annotation,
    "claim-annotation",
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


@get("/countries/", CountryPage, "country-list", CountryQuery)
def country_list(request, query: Query[CountryQuery]):
    """Every country the sources speak of, by ISO code."""
    countries = Country.objects.with_claim_counts().with_status_reports()
    return page_of(request, CountryFilter, countries)


@get("/countries/{code}/", CountryOut, "country-detail")
def country_detail(request, code: str = Path(..., pattern=COUNTRY_PATTERN)):
    """One country, by its ISO code in either case."""
    countries = Country.objects.with_claim_counts().with_status_reports()
    return get_or_404(countries, "country", code, code=Country.key_for(code).upper())


@get("/clauses/", ClausePage, "clause-list", PageQuery)
def clause_list(request, query: Query[PageQuery]):
    """The contested clauses, in treaty order."""
    return read_page(request, Clause.objects.with_claim_counts())


@get("/clauses/{code}/", ClauseDetail, "clause-detail")
def clause_detail(request, code: str = Path(..., pattern=SLUG_PATTERN)):
    """One clause with its text as each source gives it."""
    clauses = Clause.objects.with_claim_counts().with_versions()
    return get_or_404(clauses, "clause", code, code=code)


@get("/sources/", SourcePage, "source-list", SourceQuery)
def source_list(request, query: Query[SourceQuery]):
    """The documents of the corpus, each comment a source of its own; texts left out."""
    sources = (
        Source.objects.with_claim_counts()
        .select_related("author", "parent")
        .defer("text", "notes", "parent__text", "parent__notes")
    )
    return page_of(request, SourceFilter, sources)


@get("/sources/{slug}/", SourceDetail, "source-detail")
def source_detail(request, slug: str = Path(..., pattern=SLUG_PATTERN)):
    """One source with its full text."""
    replies = Source.objects.order_by("position", "slug").only("slug", "parent")
    sources = (
        Source.objects.with_claim_counts()
        .select_related("author", "parent")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )
    return get_or_404(sources, "source", slug, slug=slug)


@get("/speakers/", SpeakerPage, "speaker-list", SpeakerQuery)
def speaker_list(request, query: Query[SpeakerQuery]):
    """Who asserts the claims: people, delegations and organisations."""
    speakers = Speaker.objects.with_claim_counts().select_related("country")
    return page_of(request, SpeakerFilter, speakers)


@get("/speakers/{slug}/", SpeakerDetail, "speaker-detail")
def speaker_detail(request, slug: str = Path(..., pattern=SLUG_PATTERN)):
    """One speaker."""
    speakers = Speaker.objects.with_claim_counts().select_related("country")
    return get_or_404(speakers, "speaker", slug, slug=slug)


@get("/relations/", RelationPage, "relation-list", PageQuery)
def relation_list(request, query: Query[PageQuery]):
    """Claims that support or rebut other claims, both published."""
    # between() also joins both claims' sources, which a relation row never shows.
    relations = ClaimRelation.objects.between(Claim.objects.published().values("pk"))
    return read_page(request, relations.select_related(None))


@get("/disputes/", DisputePage, "dispute-list", DisputeQuery)
def dispute_list(request, query: Query[DisputeQuery]):
    """The disagreements the sources contain, each with its sides and their claims."""
    page = page_of(request, DisputeFilter, Dispute.objects.for_list())
    DisputeOut.prepare(page["results"])
    return page


@get("/disputes/{slug}/", DisputeOut, "dispute-detail")
def dispute_detail(request, slug: str = Path(..., pattern=SLUG_PATTERN)):
    """One dispute."""
    return get_or_404(Dispute.objects.for_list(), "dispute", slug, slug=slug)


# The index -----------------------------------------------------------------

# What each list holds, for the index at /api/ (the README lists /api/ as the way in).
API_LISTS = {
    "claims": ("claim-list", "Published claims, filtered as on the HTML claim list."),
    "countries": ("country-list", "The countries the sources name, with their status."),
    "clauses": ("clause-list", "The clauses, with their texts as the sources give them."),
    "sources": ("source-list", "The sources, with their texts."),
    "speakers": ("speaker-list", "Who asserts the claims."),
    "relations": ("relation-list", "Claims that support or rebut other claims."),
    "disputes": ("dispute-list", "The disagreements, with their sides and claims."),
}


class IndexOut(Schema):
    title: str
    description: str
    docs: str
    openapi: str
    lists: dict[str, dict[str, str]]


@api.get("/", response=IndexOut, url_name="index", include_in_schema=False)
def index(request):
    """Where the API's documentation and lists are: a short index, not a 404."""
    return {
        "title": api.title,
        "description": api.description,
        "docs": absolute(request, reverse("api:openapi-view")),
        "openapi": absolute(request, reverse("api:openapi-json")),
        "lists": {
            name: {"url": absolute(request, reverse(f"api:{url_name}")), "about": about}
            for name, (url_name, about) in API_LISTS.items()
        },
    }
