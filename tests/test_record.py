"""A country's record: its claims in date order, each at a date its sources give (issue 20)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from wcit.models import Claim, ClaimEvent, Country, Source
from wcit.views import pages

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def record_rows(soup):
    """[(tr, datetime or None, [claim ids])] of the record table."""
    rows = []
    for tr in soup.select("table.record tbody tr"):
        time = tr.th.find("time")
        ids = [int(li["data-claim"]) for li in tr.select("li[data-claim]")]
        rows.append((tr, time["datetime"] if time else None, ids))
    return rows


def iso(day, precision):
    return day.strftime({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[precision])


@pytest.mark.parametrize("code", ["us", "gb", "se"])
def test_record_is_in_date_order_with_the_undated_last(client, code):
    rows = record_rows(soup_of(client.get(f"/countries/{code}/")))
    assert rows
    dated = [stamp for _tr, stamp, _ids in rows if stamp]
    undated = [tr for tr, stamp, _ids in rows if not stamp]
    # Padded so that a year (2012) sorts as its first day, as the record places it.
    assert dated == sorted(dated, key=lambda stamp: (stamp + "-01-01")[:10])
    # Undated rows only at the end, one at most.
    assert len(undated) <= 1
    if undated:
        assert rows[-1][1] is None


@pytest.mark.parametrize("code", ["us", "gb", "se", "ca"])
def test_record_shows_only_dates_the_sources_give(client, code):
    """Each claim stands at the date of its earliest event, else its source's date; a claim
    with neither is in the undated row, which shows no date at all."""
    rows = record_rows(soup_of(client.get(f"/countries/{code}/")))
    claims = Claim.objects.select_related("source").in_bulk(
        [pk for _tr, _stamp, ids in rows for pk in ids]
    )
    assert claims
    for tr, stamp, ids in rows:
        for pk in ids:
            claim = claims[pk]
            event = ClaimEvent.objects.filter(claim=claim).order_by("happened", "id").first()
            if event:
                assert stamp == iso(event.happened, event.precision), pk
                assert "record-event" in tr["class"]
                assert event.what in tr.get_text()
            elif claim.source.published:
                assert stamp == iso(claim.source.published, "day"), pk
                assert "record-source" in tr["class"]
            else:
                assert stamp is None, pk
                assert tr.th.get_text(" ", strip=True).startswith("Undated")
                assert not any(ch.isdigit() for ch in tr.th.get_text()), tr.th


def test_record_counts_every_claim_about_the_country(client):
    soup = soup_of(client.get("/countries/us/"))
    total = Claim.objects.published().filter(countries__code="US").count()
    note = soup.select_one("section:has(#record) > p.more")
    assert f"of {total} claims shown" in note.get_text()
    assert note.a["href"] == "/claims/?country=us&sort=date"


def test_reports_that_disagree_stand_side_by_side(client, make_claim):
    us = Country.objects.get(code="US")
    # The CDT's report of 13 December says the US did not sign; a claim from the same
    # source saying it signed disagrees, and must share its row.
    did_not_sign = Claim.objects.get(
        countries=us, signature_status="not_signed", source__slug="cdt-wcit-watch-day-11"
    )
    signed = make_claim(countries=[us], signature_status=Claim.SignatureStatus.SIGNED)
    soup = soup_of(client.get("/countries/us/"))
    headers = [th.get_text(" ", strip=True) for th in soup.select("table.record thead th")]
    (row,) = [tr for tr, _stamp, ids in record_rows(soup) if signed.pk in ids]
    assert did_not_sign.pk in [int(li["data-claim"]) for li in row.select("li[data-claim]")]
    cells = row.find_all("td")
    column = {
        int(li["data-claim"]): index + 1
        for index, td in enumerate(cells)
        for li in td.select("li[data-claim]")
    }
    assert headers[column[signed.pk]] == "Reported: Signed"
    assert headers[column[did_not_sign.pk]] == "Reported: Did not sign"
    assert abs(column[signed.pk] - column[did_not_sign.pk]) == 1
    for claim in (signed, did_not_sign):
        item = row.select_one(f'li[data-claim="{claim.pk}"]')
        assert item.find("a", href=claim.passage_url)
    assert "reports of its status differ" in soup.select_one("section:has(#record)").get_text()


def test_record_is_bounded_and_links_to_the_rest(client, make_claim):
    sweden = Country.objects.get(code="SE")
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    extra = pages.RECORD_CELL + 3
    for i in range(extra):
        make_claim(countries=[sweden], summary=f"CDT claim {i} about Sweden.")
    soup = soup_of(client.get("/countries/se/"))
    (row,) = [
        tr
        for tr, stamp, _ids in record_rows(soup)
        if stamp == "2012-12-13" and "record-source" in tr["class"]
    ]
    others = row.select('td[data-label="Other claims"] li[data-claim]')
    assert len(others) == pages.RECORD_CELL
    more = row.select_one('td[data-label="Other claims"] .more a')
    query = parse_qs(urlsplit(more["href"]).query)
    assert query == {"country": ["se"], "source": [source.slug], "sort": ["date"]}
    in_row = Claim.objects.published().filter(
        countries=sweden, source=source, signature_status="", events__isnull=True
    )
    assert more.get_text(strip=True).startswith(f"{in_row.count() - pages.RECORD_CELL} more")


def test_record_escapes_what_the_sources_say(client, make_claim):
    sweden = Country.objects.get(code="SE")
    make_claim(countries=[sweden], summary="<script>alert(1)</script> says CDT.")
    html = client.get("/countries/se/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
