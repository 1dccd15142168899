from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wcit import filters
from wcit.filters import ClaimFilter
from wcit.models import Claim, ClaimRelation, Clause, Country, Source, Speaker
from wcit.wsgi import application

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


def every_result(client, url):
    """The results of every page of a list, following its ``next`` links."""
    results = []
    while url:
        body = client.get(url).json()
        results += body["results"]
        url = body["next"]
    return results


# Status of every endpoint --------------------------------------------------

ENDPOINTS = [
    ("/api/claims/", 200),
    ("/api/claims/?country=se&clause=5b", 200),
    ("/api/claims/?stance=none&page=2", 200),
    ("/api/claims/1/", 200),
    ("/api/claims/1/annotation", 200),
    ("/api/countries/", 200),
    ("/api/countries/se/", 200),
    ("/api/clauses/", 200),
    ("/api/clauses/5b/", 200),
    ("/api/sources/", 200),
    ("/api/sources/cdt-wcit-watch-day-11/", 200),
    ("/api/speakers/", 200),
    ("/api/speakers/olivier/", 200),
    ("/api/relations/", 200),
    ("/api/claims/999999/", 404),
    ("/api/claims/abc/", 404),
    ("/api/claims/999999/annotation", 404),
    ("/api/countries/zz/", 404),
    ("/api/countries/sweden/", 404),
    ("/api/clauses/article-99/", 404),
    ("/api/sources/no-such-source/", 404),
    ("/api/speakers/nobody/", 404),
    ("/api/disputes/", 200),
    ("/api/disputes/?clause=5b", 200),
    ("/api/disputes/did-the-final-text-mention-the-internet/", 200),
    ("/api/disputes/nothing/", 404),
    ("/api/disputes/?country=zz", 400),
    ("/api/claims/?country=zz", 400),
    ("/api/claims/?kind=banana", 400),
    ("/api/claims/?q=%00", 400),
    ("/api/claims/?page=abc", 400),
    ("/api/claims/?page=0", 400),
    ("/api/claims/?page=999", 400),
    ("/api/countries/?page=2", 400),
    ("/api/relations/?page=-1", 400),
]


@pytest.mark.parametrize("url, status", ENDPOINTS)
def test_endpoint_status_and_json(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    if status == 400:
        # The one error shape (wcit.schemas.ErrorOut), as the downloads and the 400 page.
        assert set(body) == {"detail", "problems"}
        assert body["problems"] and all(problem["parameter"] for problem in body["problems"])
    if status == 404:
        assert set(body) == {"detail"}
    if status != 200:
        assert body["detail"]


def test_api_is_read_only(client):
    assert client.post("/api/claims/", {}).status_code == 405
    assert client.delete("/api/claims/1/").status_code == 405


def test_openapi_document_and_docs_page(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "wcit read API"
    methods = {method for path in document["paths"].values() for method in path}
    assert methods == {"get"}
    assert "/api/claims/{id}/annotation" in document["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.parametrize(
    "path, filterset",
    [
        ("/api/claims/", filters.ClaimFilter),
        ("/api/disputes/", filters.DisputeFilter),
        ("/api/countries/", filters.CountryFilter),
        ("/api/sources/", filters.SourceFilter),
        ("/api/speakers/", filters.SpeakerFilter),
    ],
)
def test_the_documentation_lists_every_parameter_a_list_takes(client, path, filterset):
    """Made from the FilterSets, the documented parameters cannot drift from the real ones."""
    operation = client.get("/api/openapi.json").json()["paths"][path]["get"]
    documented = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(documented) == {*filterset.base_filters, "page"}
    for name, each in filterset.base_filters.items():
        choices = each.extra.get("choices")
        if choices is not None and not callable(choices):
            schema = documented[name]["schema"]
            enum = schema["items"]["enum"] if schema.get("type") == "array" else schema["enum"]
            assert set(enum) - {""} == {str(value) for value, _label in choices}, name


# Lists and details -----------------------------------------------------------


def test_claim_list_is_every_published_claim(client, make_claim):
    draft = make_claim(status=Claim.Status.DRAFT)
    ids = [claim["id"] for claim in every_result(client, "/api/claims/")]
    # Every one, once, in the list's default order (most answered first, then claim order).
    expected = Claim.objects.published().sorted_by("answered").values_list("pk", flat=True)
    assert ids == list(expected) and len(set(ids)) == len(ids)
    assert draft.pk not in ids
    assert client.get(f"/api/claims/{draft.pk}/").status_code == 404


def test_claim_detail(client):
    claim = Claim.objects.published().filter(relations_out__isnull=False).first()
    body = client.get(f"/api/claims/{claim.pk}/").json()
    assert body["id"] == claim.pk
    assert body["source"] == claim.source.slug
    assert claim.source.text[body["start"] : body["end"]] == claim.quote == body["quote"]
    assert body["summary"] == claim.summary
    assert body["speaker"] == (claim.speaker.slug if claim.speaker else None)
    assert body["countries"] == [country.slug for country in claim.countries.all()]
    assert all(code == code.lower() for code in body["countries"])
    assert body["clauses"] == [clause.code for clause in claim.clauses.all()]
    assert body["kind"] == claim.kind
    assert body["html_url"] == f"{ORIGIN}/claims/{claim.pk}/"
    assert body["annotation_url"] == f"{ORIGIN}/api/claims/{claim.pk}/annotation"
    out = {(r["kind"], r["claim"]) for r in body["relations"] if r["direction"] == "out"}
    assert out == {(r.kind, r.to_claim_id) for r in claim.relations_out.all()}


def test_claim_relations_in_both_directions(client):
    relation = ClaimRelation.objects.first()
    answered = client.get(f"/api/claims/{relation.to_claim_id}/").json()
    assert {
        "direction": "in",
        "kind": relation.kind,
        "claim": relation.from_claim_id,
        "note": relation.note,
    } in answered["relations"]


def test_claim_without_stance_or_speaker_gives_nulls(client, make_claim):
    claim = make_claim(speaker=None, stance="")
    body = client.get(f"/api/claims/{claim.pk}/").json()
    assert body["speaker"] is None
    assert body["stance"] is None
    assert body["signature_status"] is None


def test_every_listed_claim_is_anchored_at_its_offsets(client):
    texts = dict(Source.objects.values_list("slug", "text"))
    for claim in every_result(client, "/api/claims/"):
        assert texts[claim["source"]][claim["start"] : claim["end"]] == claim["quote"]


def test_country_list_and_detail(client):
    body = client.get("/api/countries/").json()
    assert body["count"] == Country.objects.count()
    assert [c["code"] for c in body["results"]] == sorted(c.slug for c in Country.objects.all())
    sweden = client.get("/api/countries/se/").json()
    assert sweden["name"] == "Sweden"
    country = Country.objects.get(code="SE")
    assert sweden["claim_count"] == Claim.objects.published().for_country(country).count()
    reporting = Claim.objects.published().reporting_status().for_country(country)
    assert {(s["status"], s["claim"]) for s in sweden["statuses"]} == {
        (claim.signature_status, claim.pk) for claim in reporting
    }
    assert sweden["html_url"] == f"{ORIGIN}/countries/se/"
    assert sweden["claims_url"] == f"{ORIGIN}/api/claims/?country=se"
    assert client.get("/api/countries/SE/").json() == sweden


def test_clause_list_and_detail(client):
    body = client.get("/api/clauses/").json()
    assert [c["code"] for c in body["results"]] == list(
        Clause.objects.values_list("code", flat=True)
    )
    clause = client.get("/api/clauses/5b/").json()
    assert clause["claim_count"] == Claim.objects.published().filter(clauses__code="5b").count()
    assert clause["texts"]
    texts = dict(Source.objects.values_list("slug", "text"))
    for version in clause["texts"]:
        assert texts[version["source"]][version["start"] : version["end"]] == version["quote"]
    assert clause["html_url"] == f"{ORIGIN}/clauses/5b/"


def test_source_list_omits_text_and_detail_has_it(client):
    body = client.get("/api/sources/").json()
    assert body["count"] == Source.objects.count()
    assert all("text" not in source for source in body["results"])
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    detail = client.get("/api/sources/cdt-wcit-watch-day-11/").json()
    assert detail["text"] == source.text
    assert detail["url"] == source.url
    assert detail["html_url"] == f"{ORIGIN}/sources/cdt-wcit-watch-day-11/"


def test_source_thread_links_replies_and_parents(client):
    post = client.get("/api/sources/what-really-happened-in-dubai/").json()
    replies = Source.objects.filter(parent__slug="what-really-happened-in-dubai")
    assert post["replies"] == list(
        replies.order_by("position", "slug").values_list("slug", flat=True)
    )
    assert post["parent"] is None
    comment = client.get(f"/api/sources/{post['replies'][0]}/").json()
    assert comment["parent"] == "what-really-happened-in-dubai"
    assert comment["kind"] == "comment"


def test_speaker_list_and_detail(client):
    body = client.get("/api/speakers/").json()
    assert {s["slug"] for s in body["results"]} == set(
        Speaker.objects.values_list("slug", flat=True)
    )
    olivier = client.get("/api/speakers/olivier/").json()
    assert olivier["country"] == "gb"
    assert (
        olivier["claim_count"] == Claim.objects.published().filter(speaker__slug="olivier").count()
    )
    assert olivier["html_url"] == f"{ORIGIN}/speakers/olivier/"


def test_relation_list_leaves_out_unpublished_claims(client):
    hidden = ClaimRelation.objects.first()
    Claim.objects.filter(pk=hidden.to_claim_id).update(status=Claim.Status.DRAFT)
    relations = every_result(client, "/api/relations/")
    pairs = {(r["from_claim"], r["to_claim"]) for r in relations}
    assert (hidden.from_claim_id, hidden.to_claim_id) not in pairs
    assert (
        len(pairs)
        == ClaimRelation.objects.filter(
            from_claim__status="published", to_claim__status="published"
        ).count()
    )
    shown = client.get(f"/api/claims/{hidden.from_claim_id}/").json()
    assert hidden.to_claim_id not in [r["claim"] for r in shown["relations"]]


# Filters -------------------------------------------------------------------

FILTERS = [
    "country=se",
    "country=us&clause=5b",
    "clause=resolution",
    "source=cdt-wcit-watch-day-11",
    "speaker=olivier",
    "kind=opinion",
    "stance=none",
    "stance=against&country=us",
    "q=internet+governance",
    "q=&country=&kind=",
]


@pytest.mark.parametrize("query", FILTERS)
def test_filters_match_claim_filter(client, query):
    data = {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}
    expected = ClaimFilter(data, queryset=Claim.objects.published()).qs
    ids = [claim["id"] for claim in every_result(client, f"/api/claims/?{query}")]
    assert ids == list(expected.values_list("pk", flat=True))
    assert ids


@pytest.mark.parametrize(
    "query, parameter, allowed",
    [
        ("country=zz", "country", "se"),
        ("clause=article-99", "clause", "5b"),
        ("source=nowhere", "source", "cdt-wcit-watch-day-11"),
        ("speaker=nobody", "speaker", "olivier"),
        ("kind=banana", "kind", "opinion"),
        ("stance=maybe", "stance", "against"),
        ("page=abc", "page", "integer"),
        ("page=999", "page", "1 to 9"),
    ],
)
def test_bad_filter_names_parameter_and_allowed_values(client, query, parameter, allowed):
    response = client.get(f"/api/claims/?{query}")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(f"{parameter}: “{query.split('=')[1]}”")
    assert allowed in detail


# Pagination ----------------------------------------------------------------


def test_pages_link_to_each_other_and_keep_the_filters(client):
    total = Claim.objects.published().filter(kind="opinion").count()
    assert total > 50
    first = client.get("/api/claims/?kind=opinion").json()
    assert first["count"] == total
    assert first["previous"] is None
    assert len(first["results"]) == 50
    next_url = urlsplit(first["next"])
    assert f"{next_url.scheme}://{next_url.netloc}" == ORIGIN
    assert next_url.path == "/api/claims/"
    assert parse_qs(next_url.query) == {"kind": ["opinion"], "page": ["2"]}
    second = client.get(first["next"]).json()
    assert parse_qs(urlsplit(second["previous"]).query) == {"kind": ["opinion"], "page": ["1"]}
    first_ids = {claim["id"] for claim in first["results"]}
    assert first_ids.isdisjoint(claim["id"] for claim in second["results"])
    assert len(every_result(client, "/api/claims/?kind=opinion")) == total


def test_last_page_has_no_next(client):
    count = client.get("/api/relations/").json()["count"]
    last = (count - 1) // 50 + 1
    body = client.get(f"/api/relations/?page={last}").json()
    assert body["next"] is None
    assert len(body["results"]) == count - 50 * (last - 1)


# Web Annotation --------------------------------------------------------------


def annotated(client, claim):
    response = client.get(f"/api/claims/{claim.pk}/annotation")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return response.json()


def test_annotation_selectors_slice_the_source_text_to_the_quote(client):
    claim = Claim.objects.published().filter(source__url="").exclude(prefix="").first()
    claim = claim or Claim.objects.published().filter(source__url="").first()
    annotation = annotated(client, claim)
    assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert annotation["type"] == "Annotation"
    assert annotation["id"] == f"{ORIGIN}/api/claims/{claim.pk}/annotation"
    assert annotation["body"] == {
        "type": "TextualBody",
        "value": claim.summary,
        "format": "text/plain",
        "purpose": "describing",
    }
    [target] = annotation["target"]
    assert target["source"] == f"{ORIGIN}/sources/{claim.source.slug}/"
    quote, position = target["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": claim.quote,
        "prefix": claim.prefix,
        "suffix": claim.suffix,
    }
    assert position["type"] == "TextPositionSelector"
    assert claim.source.text[position["start"] : position["end"]] == claim.quote


def test_annotation_also_targets_the_original_document_when_known(client):
    claim = Claim.objects.published().exclude(source__url="").first()
    here, original = annotated(client, claim)["target"]
    assert here["source"] == f"{ORIGIN}/sources/{claim.source.slug}/"
    assert [s["type"] for s in here["selector"]] == ["TextQuoteSelector", "TextPositionSelector"]
    # Offsets count characters of the stored text, not of the original page.
    assert original == {
        "type": "SpecificResource",
        "source": claim.source.url,
        "selector": [here["selector"][0]],
    }


# Query counts ----------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 500])
def test_claim_list_queries_do_not_grow_with_claims(
    client, grow_corpus, django_assert_num_queries, extra
):
    """Guards the N+1s of a claim row: source, speaker, countries, clauses and relations."""
    grow_corpus(extra)
    # The count, the claims with their speakers, their sources, then one query each
    # for the keys of their countries, clauses and relations.
    with django_assert_num_queries(6):
        body = client.get("/api/claims/?page=2").json()
    assert body["count"] == Claim.objects.published().count()
    assert len(body["results"]) == 50


@pytest.mark.parametrize("extra", [0, 500])
def test_relation_list_queries_do_not_grow(client, grow_corpus, django_assert_num_queries, extra):
    """Guards an N+1 on the relation's claims, whose ids alone the rows show."""
    grow_corpus(extra)
    with django_assert_num_queries(2):
        body = client.get("/api/relations/").json()
    assert len(body["results"]) == 50


# Schemathesis --------------------------------------------------------------


@pytest.fixture
def keep_connection():
    """Keep the test's connection across WSGI requests, as Django's test client does.

    The WSGI handler closes the connection at each request's end when it is inside a
    transaction, as the test's is: on PostgreSQL that loses the test's data.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Loaded once at collection: the document is generated from code, without the database
# (and without the page cache, which would read the data version from it).
with override_settings(SHARED_CACHE=False):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, keep_connection):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_a_bad_host_with_a_400_in_its_error_shape(case, keep_connection):
    """Issue 21: a Host not in ALLOWED_HOSTS was a 500 with a traceback. (Schemathesis also
    tries methods the API does not take, a 405, and parameters it does not: a 400 naming
    them before the host.)"""
    response = case.call(headers={"Host": "evil.example"})
    assert response.status_code in (400, 405), response.text[:300]
    if response.status_code == 400:
        assert response.json()["problems"]


@pytest.mark.parametrize(
    "path, parameters",
    [
        ("/api/claims/{id}/", {"id": 1}),
        ("/api/claims/{id}/annotation", {"id": 1}),
        ("/api/countries/{code}/", {"code": "us"}),
        ("/api/clauses/{code}/", {"code": "5b"}),
        ("/api/sources/{slug}/", {"slug": "what-really-happened-in-dubai"}),
        ("/api/speakers/{slug}/", {"slug": "olivier"}),
    ],
)
def test_found_details_conform_to_the_openapi_document(keep_connection, path, parameters):
    # Generated keys rarely name a real record, so the 200 bodies get their own cases.
    response = schema[path]["GET"].Case(path_parameters=parameters).call_and_validate(checks=CHECKS)
    assert response.status_code == 200
