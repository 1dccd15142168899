import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

from wcit.models import Claim

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
    assert text.startswith("\ufeffid,source,quote,start,end")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [int(row["id"]) for row in rows] == expected
    data = json.loads(body(client.get("/claims.json" + query)))
    assert [row["id"] for row in data["results"]] == expected
    assert data["count"] == len(expected) and data["next"] is None


@pytest.mark.parametrize("download", ["/claims.csv", "/claims.json"])
def test_claim_download_queries_do_not_grow_with_claims(
    client, grow_corpus, django_assert_max_num_queries, download
):
    """Guards the N+1s of a downloaded claim: its relations, countries, clauses and source."""
    grow_corpus(500)
    # The count, the claims with their speakers, their sources, then one query each
    # for the keys of their countries, clauses and relations, per batch of 2,000 rows.
    with django_assert_max_num_queries(8):
        data = body(client.get(download))
    assert data.count("claims/") >= Claim.objects.published().count()


def test_claim_export_rows_carry_offsets_and_links(client):
    data = json.loads(body(client.get("/claims.json?source=cdt-wcit-watch-day-11")))
    from wcit.models import Source

    text = Source.objects.get(slug="cdt-wcit-watch-day-11").text
    for row in data["results"]:
        assert text[row["start"] : row["end"]] == row["quote"]
        assert row["html_url"].endswith(f"/claims/{row['id']}/")
        assert row["passage_url"].endswith(f"#claim-{row['id']}")


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
    problems = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert [problem["parameter"] for problem in problems] == ["country"]
    assert "se" in problems[0]["allowed"].split("; ")


@pytest.mark.parametrize(
    "download, api",
    [
        ("/countries.json", "/api/countries/"),
        ("/sources.json?kind=comment", "/api/sources/?kind=comment"),
        ("/speakers.json", "/api/speakers/"),
        ("/claims.json?country=us", "/api/claims/?country=us"),
    ],
)
def test_a_download_and_the_api_give_the_same_objects_in_the_same_order(client, download, api):
    downloaded = json.loads(body(client.get(download)))["results"]
    served = client.get(api).json()["results"]
    assert served and downloaded[: len(served)] == served


def test_a_country_is_the_same_object_in_the_download_and_the_api(client):
    (downloaded,) = [
        row
        for row in json.loads(body(client.get("/countries.json")))["results"]
        if row["code"] == "us"
    ]
    assert downloaded == client.get("/api/countries/us/").json()
    reported = {(report["status"], report["source"]) for report in downloaded["statuses"]}
    assert ("not_signed", "wsws-us-walks-out-of-wcit") in reported


def test_csv_flattens_the_json_rows(client):
    text = body(client.get("/countries.csv?status=undecided")).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    records = json.loads(body(client.get("/countries.json?status=undecided")))["results"]
    assert [row["code"] for row in rows] == [record["code"] for record in records]
    for row, record in zip(rows, records, strict=True):
        assert json.loads(row["statuses"]) == record["statuses"]
        assert int(row["claim_count"]) == record["claim_count"]


def test_a_download_page_links_its_neighbours(client, monkeypatch):
    from wcit.views import lists as views

    monkeypatch.setattr(views, "DOWNLOAD_PAGE_SIZE", 100)
    first = client.get("/claims.csv?kind=fact")
    data = json.loads(body(client.get("/claims.json?kind=fact&page=2")))
    assert data["count"] > 100
    assert '?kind=fact&page=2>; rel="next"' in first["Link"]
    assert data["previous"].endswith("/claims.json?kind=fact&page=1")
    assert len(data["results"]) == min(100, data["count"] - 100)
