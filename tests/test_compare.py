"""Countries compared side by side: /countries/compare/?c=us&c=se (issue 20)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wcit.models import Claim, Country, Dispute, Position

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200, response.content[:500]
    return BeautifulSoup(response.content, "html.parser")


def short_date(day):
    return f"{day.day} {day:%b %Y}"


def test_country_page_offers_a_comparison_with_any_other_country(client):
    soup = soup_of(client.get("/countries/us/"))
    form = soup.select_one("form.compare-with")
    assert form["action"] == "/countries/compare/" and form.get("method") == "get"
    assert form.select_one('input[type="hidden"][name="c"]')["value"] == "us"
    options = [o for o in form.select('select[name="c"] option') if o["value"]]
    names = [o.get_text() for o in options]
    assert names == sorted(names, key=str.casefold)
    assert {o["value"] for o in options} == {c.slug for c in Country.objects.exclude(code="US")}


def test_country_list_links_to_the_comparison(client):
    soup = soup_of(client.get("/countries/"))
    form = soup.select_one('form[action="/countries/compare/"]')
    selects = form.select('select[name="c"]')
    assert len(selects) == 4
    assert [s.has_attr("required") for s in selects] == [True, True, False, False]


# Countries compared --------------------------------------------------------


def cards(soup):
    return {card["data-country"]: card for card in soup.select(".compare-card")}


@pytest.mark.parametrize("codes", [["us", "se"], ["us", "in", "se"], ["gb", "jp", "ca", "ch"]])
def test_compare_shows_each_status_with_its_sources_and_dates(client, codes):
    soup = soup_of(client.get("/countries/compare/?" + "&".join(f"c={c}" for c in codes)))
    shown = cards(soup)
    assert list(shown) == codes
    countries = {c.slug: c for c in Country.objects.with_status_reports()}
    labels = dict(Country.MAP_STATUSES) | {"named": "No status reported"}
    glance = soup.select(".compare-glance li")
    for code, item in zip(codes, glance, strict=True):
        country = countries[code]
        card = shown[code]
        status = country.map_status()
        for badge in (card.select_one("h3 .status"), item.select_one(".status")):
            assert f"status-{status}" in badge["class"]
            assert badge.get_text() == labels[status]
        groups = country.status_groups()
        text = card.get_text(" ", strip=True)
        for group in groups:
            latest = group["latest"]
            assert card.find("a", href=latest.passage_url), (code, group["status"])
            published = latest.source.published
            assert (short_date(published) if published else "undated") in text
        if not groups:
            assert "none reports whether it signed" in text


def test_compare_lists_the_claims_that_name_both(client):
    soup = soup_of(client.get("/countries/compare/?c=us&c=se"))
    both = Claim.objects.published().filter(countries__code="US").filter(countries__code="SE")
    section = soup.select_one("section:has(#shared)")
    shown = {int(article["data-claim"]) for article in section.select("article.claim")}
    assert shown == set(both.values_list("pk", flat=True)) and shown
    assert f"({both.count()})" in section.h2.get_text()


def test_compare_of_three_groups_the_claims_naming_two_or_more(client, make_claim):
    countries = Country.objects.filter(code__in=["US", "IN", "SE"])
    all_three = make_claim(countries=list(countries))
    soup = soup_of(client.get("/countries/compare/?c=us&c=in&c=se"))
    section = soup.select_one("section:has(#shared)")
    first_group = section.h3
    assert first_group.get_text(" ", strip=True) == (
        "Naming United States of America, India and Sweden"
    )
    assert int(first_group.find_next("article")["data-claim"]) == all_three.pk
    pairs = [li.get_text(" ", strip=True) for li in section.select(".compare-pairs li")]
    published = Claim.objects.published()
    expected = published.filter(countries__code="US").filter(countries__code="SE").count()
    assert f"United States of America and Sweden: {expected} claim" in " | ".join(pairs)


@pytest.mark.parametrize("codes", [["us", "se"], ["us", "gb", "cn"], ["us", "ru", "ir", "cn"]])
def test_compare_counts_the_clauses_by_stance(client, codes):
    soup = soup_of(client.get("/countries/compare/?" + "&".join(f"c={c}" for c in codes)))
    chips = {}
    for chip in soup.select("section:has(#clauses) table a.stance-chip"):
        query = parse_qs(urlsplit(chip["href"]).query)
        key = (query["country"][0], query["clause"][0], query["stance"][0])
        chips[key] = int(chip.get_text().split()[-1])
    expected = {}
    claims = Claim.objects.published().filter(countries__code__in=[c.upper() for c in codes])
    for country, clause, stance in claims.values_list("countries__code", "clauses__code", "stance"):
        if clause and country.lower() in codes:
            key = (country.lower(), clause, stance or "none")
            expected[key] = expected.get(key, 0) + 1
    assert chips == expected
    assert chips


def test_a_stance_count_links_to_as_many_claims(client):
    soup = soup_of(client.get("/countries/compare/?c=us&c=se"))
    chip = soup.select_one("section:has(#clauses) table a.stance-chip")
    listed = soup_of(client.get(chip["href"]))
    assert len(listed.select("article.claim")) == int(chip.get_text().split()[-1])


def test_compare_names_the_disputes_each_takes_part_in(client):
    soup = soup_of(client.get("/countries/compare/?c=us&c=se"))
    links = soup.select("section:has(#disputes) tbody th a")
    shown = {a["href"].strip("/").split("/")[-1] for a in links}
    stands = Position.claims.through.objects.filter(
        claim__status=Claim.Status.PUBLISHED, claim__countries__code__in=["US", "SE"]
    )
    expected = set(
        Dispute.objects.filter(pk__in=stands.values("position__dispute")).values_list(
            "slug", flat=True
        )
    )
    assert shown == expected and shown
    # Sweden's sides, counted.
    for link in soup.select('section:has(#disputes) td[data-label="Sweden"] a'):
        dispute, key = parse_qs(urlsplit(link["href"]).query)["position"][0].split(":")
        n = Position.claims.through.objects.filter(
            claim__status=Claim.Status.PUBLISHED,
            claim__countries__code="SE",
            position__dispute__slug=dispute,
            position__key=key,
        ).count()
        assert link.find_next_sibling(class_="count").get_text() == str(n)


def test_compare_ignores_menus_left_empty_and_reads_either_case(client):
    soup = soup_of(client.get("/countries/compare/?c=US&c=&c=se&c="))
    assert list(cards(soup)) == ["us", "se"]


@pytest.mark.parametrize(
    "query, named",
    [
        ("?c=zz&c=us", "“zz”"),
        ("?c=us", "1 given (“us”)"),
        ("?c=us&c=se&c=in&c=gb&c=fr", "5 given"),
        ("?c=us&c=us", "“us” is given 2 times"),
        ("?c=US&c=us", "“us” is given 2 times"),
        ("", "No country given"),
        ("?c=", "No country given"),
        ("?c=%3Cb%3Ex%3C/b%3E&c=us", "“<b>x</b>”"),
    ],
)
def test_a_bad_comparison_is_a_400_naming_c_and_the_value(client, query, named):
    response = client.get("/countries/compare/" + query)
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert "bad-request" in soup.body["class"]
    problems = soup.select(".problems dt")
    assert problems and {dt.get_text(strip=True) for dt in problems} == {"c"}
    assert named in soup.select_one(".problems").get_text()
    assert b"<b>x</b>" not in response.content


def test_an_unknown_parameter_is_dropped_by_redirect_as_on_every_page(client):
    response = client.get("/countries/compare/?c=us&c=se&other=us")
    assert response.status_code == 301
    assert response["Location"] == "/countries/compare/?c=us&c=se"
    assert client.get("/countries/compare/?other=us", follow=True).status_code == 400


def test_compare_query_count_does_not_grow_with_the_data(
    client, grow_corpus, django_assert_max_num_queries
):
    """Guards against N+1 queries per country (status reports, clause cells, sides), per
    claim naming several (countries, speakers, sources) and per dispute (positions)."""
    url = "/countries/compare/?c=us&c=gb&c=se"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_corpus(500)
    # At most as many: the first request may also check the data version in the database.
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_compare_shows_at_most_the_shared_limit(client, make_claim):
    from wcit.views.compare import SHARED_LIMIT

    both = list(Country.objects.filter(code__in=["US", "GB"]))
    for i in range(SHARED_LIMIT):
        make_claim(countries=both, summary=f"A claim {i} about the US and the UK.")
    soup = soup_of(client.get("/countries/compare/?c=us&c=gb"))
    section = soup.select_one("section:has(#shared)")
    total = Claim.objects.published().filter(countries__code="US").filter(countries__code="GB")
    assert total.count() > SHARED_LIMIT
    assert len(section.select("article.claim")) == SHARED_LIMIT
    assert f"The first {SHARED_LIMIT} of {total.count()}" in section.get_text()


def test_a_country_with_no_clause_or_side_is_said_so(client):
    soup = soup_of(client.get("/countries/compare/?c=us&c=in&c=se"))
    india = Claim.objects.published().filter(countries__code="IN")
    assert not india.filter(clauses__isnull=False).exists()
    clauses = soup.select_one("section:has(#clauses)").get_text(" ", strip=True)
    assert "No claim about India" in clauses
    assert "United States of America" not in clauses.split("No claim about")[-1]
