"""Query parameters: each value checked, each parameter once, unknown ones never cached.

A page's unknown parameters (``utm_source``, ``fbclid``, a typo) are stripped by a
permanent redirect to the same page without them; the API and the downloads, read by
programs, refuse them with a 400 naming them, as they refuse a bad value.
"""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


def problems_of(response):
    """The parameters a 400 names, whatever its format."""
    assert response.status_code == 400
    kind = response["Content-Type"]
    if kind.startswith("application/json"):
        return [problem["parameter"] for problem in response.json()["problems"]]
    if kind.startswith("text/csv"):
        text = response.content.decode().removeprefix("\ufeff")
        return [row["parameter"] for row in csv.DictReader(io.StringIO(text))]
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.content, "html.parser")
    return [dt.get_text(strip=True) for dt in soup.select("dl.problems dt")]


OUTPUTS = ["/claims/", "/claims.json", "/claims.csv", "/api/claims/"]


@pytest.mark.parametrize("path", OUTPUTS)
@pytest.mark.parametrize(
    "query, parameter",
    [
        ("country=se&country=us", "country"),
        ("kind=fact&kind=quote", "kind"),
        ("page=1&page=2", "page"),
        ("passage=1.5", "passage"),
        ("passage=%EF%BC%91", "passage"),  # a full-width digit one
        ("page=%EF%BC%91", "page"),
        ("page=1.0", "page"),
        ("page=+1", "page"),
    ],
)
def test_a_repeated_or_malformed_value_is_a_400_naming_it(client, path, query, parameter):
    """Issue 21: the last of repeated values was used; 1.5 and a full-width 1 were taken."""
    assert problems_of(client.get(f"{path}?{query}")) == [parameter]


@pytest.mark.parametrize("path", ["/countries/", "/countries.json", "/api/countries/"])
def test_a_filter_that_takes_several_values_takes_them(client, path):
    assert client.get(f"{path}?status=signed&status=not_signed").status_code == 200


@pytest.mark.parametrize(
    "url, canonical",
    [
        (
            "/sources/what-really-happened-in-dubai/?utm_source=x1",
            "/sources/what-really-happened-in-dubai/",
        ),
        ("/claims/?kind=opinion&fbclid=abc&page=2", "/claims/?kind=opinion&page=2"),
        ("/claims/?" + "&".join(f"p{i}=1" for i in range(300)), "/claims/"),
        ("/?utm_medium=email", "/"),
        ("/search/?q=spam&ref=x", "/search/?q=spam"),
        ("/sources/cdt-wcit-watch-day-11/?clean=1&x=2", "/sources/cdt-wcit-watch-day-11/?clean=1"),
    ],
)
def test_a_page_with_unknown_parameters_redirects_to_the_page_without_them(client, url, canonical):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/claims/?countrey=se",
        "/api/claims/1/?x=1",
        "/claims.json?countrey=se",
        "/claims.csv?utm_source=x",
    ],
)
def test_programs_get_a_400_naming_an_unknown_parameter(client, url):
    """A typo in a program's filter must not return the unfiltered list."""
    name = url.split("?")[1].split("=")[0]
    assert problems_of(client.get(url)) == [name]


@pytest.mark.parametrize("path", ["/api/claims/", "/api/disputes/", "/api/clauses/"])
def test_the_openapi_document_declares_page_bounds(client, path):
    operation = client.get("/api/openapi.json").json()["paths"][path]["get"]
    page = next(p for p in operation["parameters"] if p["name"] == "page")
    assert page["schema"]["type"] == "integer"
    assert page["schema"]["minimum"] == 1


def test_the_openapi_document_declares_what_each_claim_filter_allows(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/claims/"]["get"]
    schemas = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert schemas["passage"]["pattern"] == "^(?:[0-9]+)?$"  # a whole number, or no filter
    assert schemas["country"]["pattern"] == "^(?:[a-zA-Z]{2})?$"
    for name in ["clause", "source", "speaker", "position"]:
        assert "pattern" in schemas[name], name
    for name in ["kind", "stance", "answered", "sort"]:
        assert schemas[name]["enum"], name
