import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content).decode("utf-8")


def html_ids(client, url):
    """Every row id of an HTML claim list, across all its pages."""
    ids, page = [], 1
    while True:
        separator = "&" if "?" in url else "?"
        soup = BeautifulSoup(client.get(f"{url}{separator}page={page}").content, "html.parser")
        ids += [int(a["id"].removeprefix("row-")) for a in soup.select(".results article.claim")]
        if not soup.select_one('.pagination a[rel="next"]'):
            return ids
        page += 1


@pytest.mark.parametrize("query", ["", "?country=us&clause=5b", "?kind=opinion", "?q=signing"])
def test_claim_csv_and_json_hold_the_same_rows_as_the_html_list(client, query):
    expected = html_ids(client, "/claims/" + query)
    csv_response = client.get("/claims.csv" + query)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(csv_response)
    assert text.startswith("\ufeffid,summary,quote")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [int(row["id"]) for row in rows] == expected
    data = json.loads(body(client.get("/claims.json" + query)))
    assert [row["id"] for row in data["results"]] == expected
    assert data["html_url"].endswith("/claims/" + query)


def test_claim_export_rows_carry_offsets_and_links(client):
    data = json.loads(body(client.get("/claims.json?source=cdt-wcit-watch-day-11")))
    from wcit.models import Source

    text = Source.objects.get(slug="cdt-wcit-watch-day-11").text
    for row in data["results"]:
        assert text[row["start"] : row["end"]] == row["quote"]
        assert row["html_url"].endswith(f"/claims/{row['id']}/")
        assert row["source_html_url"].endswith(f"#claim-{row['id']}")


@pytest.mark.parametrize(
    "name, query, count",
    [
        ("countries", "?status=undecided", None),
        ("sources", "?kind=comment", 17),
        ("speakers", "?kind=delegation", 2),
    ],
)
def test_other_lists_export_their_filtered_rows(client, name, query, count):
    rows = list(
        csv.DictReader(io.StringIO(body(client.get(f"/{name}.csv{query}")).lstrip("\ufeff")))
    )
    data = json.loads(body(client.get(f"/{name}.json{query}")))
    assert len(rows) == len(data["results"])
    if count is not None:
        assert len(rows) == count
    soup = BeautifulSoup(client.get(f"/{name}/{query}").content, "html.parser")
    for row in rows:
        assert soup.find("a", href=row["html_url"].removeprefix("http://testserver"))


def test_list_pages_link_their_twins_with_the_current_filters(client):
    soup = BeautifulSoup(client.get("/claims/?country=se&page=1").content, "html.parser")
    links = {a["data-format"]: a["href"] for a in soup.select(".exports a")}
    assert links == {"csv": "/claims.csv?country=se", "json": "/claims.json?country=se"}


def test_bad_filter_on_an_export_is_a_400_naming_the_parameter(client):
    response = client.get("/claims.json?kind=banana")
    assert response.status_code == 400
    problem = response.json()["problems"][0]
    assert problem["parameter"] == "kind" and "opinion" in problem["allowed"]
    response = client.get("/claims.csv?country=zz")
    assert response.status_code == 400
    assert response.content.decode().startswith("country:")


def test_unknown_export_format_is_a_404(client):
    assert client.get("/claims.xml").status_code == 404
