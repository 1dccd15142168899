import json
from collections import Counter
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from wcit.cache import data_version
from wcit.models import Claim, ClaimRelation, Clause, Country, Source
from wcit.views import ClaimListView

pytestmark = pytest.mark.django_db


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


PAGES = [
    ("/", 200, "home"),
    ("/countries/", 200, "country-list"),
    ("/countries/?status=not_signed", 200, "country-list"),
    ("/countries/se/", 200, "country-detail"),
    ("/clauses/", 200, "clause-list"),
    ("/clauses/5b/", 200, "clause-detail"),
    ("/clauses/resolution/", 200, "clause-detail"),
    ("/sources/", 200, "source-list"),
    ("/sources/?kind=comment", 200, "source-list"),
    ("/sources/what-really-happened-in-dubai/", 200, "source-detail"),
    ("/sources/cdt-wcit-watch-day-11/", 200, "source-detail"),
    ("/speakers/", 200, "speaker-list"),
    ("/speakers/olivier/", 200, "speaker-detail"),
    ("/claims/", 200, "claim-list"),
    ("/claims/?country=se&clause=5b", 200, "claim-list"),
    ("/claims/1/", 200, "claim-detail"),
    ("/claims/?answered=rebutted", 200, "claim-list"),
    ("/countries/by-clause/", 200, "country-clause-matrix"),
    ("/disputes/", 200, "dispute-list"),
    ("/disputes/?clause=5b&country=us", 200, "dispute-list"),
    ("/disputes/did-the-final-text-mention-the-internet/", 200, "dispute-detail"),
    ("/disputes/no-such-dispute/", 404, "not-found"),
    ("/disputes/?speaker=nobody", 400, "bad-request"),
    ("/claims/?answered=maybe", 400, "bad-request"),
    ("/countries/zz/", 404, "not-found"),
    ("/clauses/article-99/", 404, "not-found"),
    ("/sources/no-such-source/", 404, "not-found"),
    ("/speakers/nobody/", 404, "not-found"),
    ("/claims/999999/", 404, "not-found"),
    ("/no/such/page/", 404, "not-found"),
    ("/claims/?country=zz", 400, "bad-request"),
    ("/claims/?kind=banana", 400, "bad-request"),
    ("/claims/?page=abc", 400, "bad-request"),
    ("/claims/?page=999", 400, "bad-request"),
    ("/countries/?status=maybe", 400, "bad-request"),
    ("/sources/?kind=tweet", 400, "bad-request"),
    ("/speakers/?kind=robot", 400, "bad-request"),
]


@pytest.mark.parametrize("url, status, body_class", PAGES)
def test_page_status_and_body_class(client, url, status, body_class):
    response = client.get(url)
    assert response.status_code == status
    soup = soup_of(response)
    assert body_class in soup.body["class"]
    assert len(soup.find_all("h1")) == 1
    assert soup.find("main", id="main")
    assert soup.select_one("a.skip-link")["href"] == "#main"


def test_uppercase_country_code_redirects_permanently(client):
    response = client.get("/countries/US/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/us/"


@pytest.mark.parametrize(
    "url, parameter, allowed",
    [
        ("/claims/?country=zz", "country", "se"),
        ("/claims/?kind=banana", "kind", "opinion"),
        ("/claims/?stance=maybe", "stance", "against"),
        ("/claims/?page=abc", "page", "a page number"),
    ],
)
def test_bad_filter_names_parameter_and_allowed_values(client, url, parameter, allowed):
    soup = soup_of(client.get(url))
    problem = soup.select_one(".problems")
    assert problem.dt.get_text(strip=True) == parameter
    assert allowed in problem.dd.get_text()


def test_claim_list_is_paginated_and_keeps_filters(client):
    size = ClaimListView.paginate_by
    total = Claim.objects.published().filter(stance="").count()
    assert total > size
    soup = soup_of(client.get("/claims/?stance=none"))
    assert len(soup.select(".results article.claim")) == size
    next_link = soup.select_one('.pagination a[rel="next"]')["href"]
    assert "stance=none" in next_link and "page=2" in next_link
    page_two = soup_of(client.get("/claims/" + next_link))
    assert len(page_two.select(".results article.claim")) == min(size, total - size)


def test_filtered_claim_list_shows_matching_rows_and_hides_others(client):
    soup = soup_of(client.get("/claims/?country=se"))
    shown = {int(a["id"].removeprefix("row-")) for a in soup.select(".results article.claim")}
    expected = set(
        Claim.objects.published().filter(countries__code="SE").values_list("pk", flat=True)
    )
    assert shown == expected
    assert Claim.objects.published().exclude(pk__in=shown).exists()


def test_active_filters_are_removable_one_by_one(client):
    soup = soup_of(client.get("/claims/?country=se&kind=fact&page=1"))
    removes = {a["data-remove"]: a["href"] for a in soup.select("a.remove-filter")}
    assert set(removes) == {"country", "kind"}
    assert removes["country"] == "?kind=fact"
    assert removes["kind"] == "?country=se"


def test_facet_counts_match_the_filtered_list(client):
    soup = soup_of(client.get("/claims/?clause=5b"))
    facet = soup.select_one('[data-facet="country"]')
    for row in facet.select("li"):
        code = row.a["data-value"]
        count = int(row.select_one(".count").get_text())
        expected = (
            Claim.objects.published()
            .filter(clauses__code="5b", countries__code=code.upper())
            .distinct()
            .count()
        )
        assert count == expected, code


def test_every_claim_is_marked_on_its_source_page_with_its_quote(client):
    for source in Source.objects.filter(parent__isnull=True):
        soup = soup_of(client.get(source.get_absolute_url()))
        refs = {a["href"] for a in soup.select("a.claim-ref")}
        # The page shows the source and, nested, all its replies.
        for claim in Claim.objects.published().filter(
            source__in=[source, *Source.objects.descendants_of(source)]
        ):
            mark = soup.find("mark", id=claim.dom_id)
            assert mark is not None, claim.pk
            pieces = soup.find_all("mark", attrs={"data-claim": str(claim.pk)})
            text = ""
            for piece in pieces:
                for ref in piece.select("a.claim-ref"):
                    ref.decompose()
                text += piece.get_text()
            assert text == claim.quote.replace("\n", ""), claim.pk
            # The number after the passage leads to its note, which links the claim page.
            assert f"#note-{claim.pk}" in refs, claim.pk
            note = soup.find("li", id=f"note-{claim.pk}")
            assert note.select_one("a.note-summary")["href"] == claim.get_absolute_url()
            assert note.select_one("a.note-number")["href"] == f"#{claim.dom_id}"


def test_draft_claims_are_not_shown(client, make_claim):
    draft = make_claim(status=Claim.Status.DRAFT, summary="A draft nobody should see.")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "A draft nobody should see." not in client.get("/claims/?q=draft").content.decode()


def test_source_text_is_escaped(client):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    source.text += "\n\n<script>alert('x')</script>"
    source.save()
    body = client.get(source.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


def test_claim_rows_escape_what_the_sources_say(client, make_claim):
    """Summaries and source titles come from the sources: a row shows them as text."""
    hostile = '<script>alert("x")</script>'
    claim = make_claim(summary=f"A xylophone summary {hostile}")
    Source.objects.filter(pk=claim.source_id).update(title=f"A title {hostile}")
    response = client.get("/claims/?q=xylophone")
    assert "<script>alert" not in response.content.decode()
    row = soup_of(response).select_one(f"#row-{claim.pk}")
    assert row.select_one(".claim-summary a").get_text() == f"A xylophone summary {hostile}"
    assert f"A title {hostile}" in row.select_one(".claim-meta").get_text()


def test_claim_page_shows_passage_in_context_and_links(client):
    claim = Claim.objects.get(quote__startswith="The amendment passed by a vote of")
    soup = soup_of(client.get(claim.get_absolute_url()))
    context = soup.select_one(".in-context")
    assert context.mark.get_text() == claim.quote
    assert "A vote was held." in context.get_text()
    link = soup.select_one("a.read-in-source")["href"]
    assert link == f"{claim.source.get_absolute_url()}#claim-{claim.pk}"


def test_claim_from_source_with_url_links_to_text_fragment(client):
    claim = Claim.objects.filter(source__slug="cdt-wcit-watch-day-11").first()
    soup = soup_of(client.get(claim.get_absolute_url()))
    href = soup.select_one("a.original-link")["href"]
    assert href.startswith(claim.source.url + "#:~:text=")


def test_claim_without_known_url_has_no_original_link(client):
    claim = Claim.objects.filter(source__url="").first()
    soup = soup_of(client.get(claim.get_absolute_url()))
    assert soup.select_one("a.original-link") is None


def test_home_figures_link_to_their_claims(client):
    soup = soup_of(client.get("/"))
    figures = soup.select(".figures li")
    assert any("77 for, 33 against, 8 abstentions" in li.get_text() for li in figures)
    for li in figures:
        href = li.select_one("a.figure-source")["href"]
        claim = Claim.objects.get(pk=int(href.strip("/").split("/")[-1]))
        value = li.select_one(".figure-value").get_text()
        assert value.split()[0].rstrip("+") in claim.quote


def test_home_map_names_every_named_country_beside_it_in_words(client):
    """At home-page size Europe's shapes lose their patterns: the list beside says it all."""
    soup = soup_of(client.get("/"))
    members = soup.select_one("#where ~ figure .wcit-map-members")
    listed = {}
    for li in members.select("li:has(.wcit-map-status)"):
        status = li.select_one(".wcit-map-status").get_text().split(" (")[0]
        for a in li.select(":scope > span > a"):
            listed[a["href"]] = status
    countries = list(Country.objects.with_status_reports())
    assert set(listed) == {country.get_absolute_url() for country in countries}
    statuses = dict(Country.MAP_STATUSES)
    for country in countries:
        assert listed[country.get_absolute_url()] == statuses[country.map_status()], country.slug
    assert listed["/countries/gb/"] == "Did not sign"


def test_country_page_shows_status_reports_with_passages(client):
    soup = soup_of(client.get("/countries/se/"))
    reports = soup.select(".status-groups > li")
    assert any("Undecided" in li.get_text() for li in reports)


def test_clause_page_keeps_both_versions_and_marks_the_difference(client):
    soup = soup_of(client.get("/clauses/5b/"))
    differing = {ins.get_text() for ins in soup.select(".clause-text ins.differs")}
    assert differing == {"minimise", "minimize"}


URLS_FOR_QUERY_COUNT = [
    "/",
    "/countries/",
    "/countries/us/",
    "/clauses/",
    "/clauses/5b/",
    "/sources/",
    "/sources/what-really-happened-in-dubai/",
    "/speakers/",
    "/speakers/milton-mueller/",
    "/claims/",
    "/claims/?country=us&kind=opinion",
    "/claims/7/",
    "/claims/?answered=any",
    "/countries/by-clause/",
    "/disputes/",
    "/disputes/?country=us",
    "/disputes/what-made-the-conference-break-up/",
]


@pytest.mark.parametrize("url", URLS_FOR_QUERY_COUNT)
def test_query_count_does_not_grow_with_the_data(
    client, grow_corpus, url, django_assert_num_queries
):
    """Guards against N+1 queries: per claim (speaker, source, countries, clauses),
    per country (status reports), per source (claim counts, replies) or per relation."""
    data_version()  # read from the database once, as on a running site
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_corpus(500)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def country_rows(response):
    """{country code: claim count} from the country table."""
    rows = soup_of(response).select("table.countries tbody tr")
    return {
        row.th.a["href"].strip("/").split("/")[-1]: int(
            row.select_one('td[data-label="Claims"]').get_text()
        )
        for row in rows
    }


def test_a_status_filter_keeps_each_countrys_claim_count(client):
    """The status filter once joined the reporting claims and multiplied the counts."""
    unfiltered = country_rows(client.get("/countries/"))
    filtered = country_rows(client.get("/countries/?status=walked_out"))
    assert "us" in filtered and len(filtered) < len(unfiltered)
    # The United States is reported as walking out by several claims: a join would
    # count each of its claims once per such report.
    assert (
        Claim.objects.published()
        .filter(countries__code="US", signature_status="walked_out")
        .count()
        > 1
    )
    for code, count in filtered.items():
        assert count == unfiltered[code], code
    assert filtered["us"] == Claim.objects.published().filter(countries__code="US").count()


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/claims/?country=SE", "/claims/?country=se"),
        ("/claims.json?country=Se", "/claims.json?country=se"),
        ("/api/claims/?country=SE", "/api/claims/?country=se"),
    ],
)
def test_a_country_code_in_any_case_selects_the_same_claims(client, url, expected):
    def ids(response):
        if response["Content-Type"].startswith("application/json"):
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            return [row["id"] for row in json.loads(content)["results"]]
        return [a["id"] for a in soup_of(response).select(".results article.claim")]

    given, lower = client.get(url), client.get(expected)
    assert given.status_code == lower.status_code == 200
    selected = ids(given)
    assert selected and selected == ids(lower)


def test_country_page_in_upper_case_redirects_to_its_key(client):
    response = client.get("/countries/SE/")
    assert response.status_code == 301 and response["Location"] == "/countries/se/"
    assert client.get("/api/countries/SE/").json()["code"] == "se"


@pytest.mark.parametrize(
    "url", ["/countries/us/", "/clauses/5b/", "/speakers/milton-mueller/", "/claims/"]
)
def test_no_id_is_used_twice_on_a_page(client, url):
    ids = [tag["id"] for tag in soup_of(client.get(url)).find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_search_offers_the_matching_pages_first(client):
    soup = soup_of(client.get("/search/", {"q": "Sweden"}))
    first = soup.select_one("main section a")
    assert first["href"] == "/countries/se/"
    assert soup.select_one("#page-hits") is not None


def test_every_page_has_the_header_search_and_its_description(client):
    soup = soup_of(client.get("/countries/se/"))
    assert soup.select_one('header form[role="search"] input[name="q"]')
    assert "Sweden" in soup.find("meta", attrs={"name": "description"})["content"]
    assert soup.find("meta", property="og:title")["content"].startswith("Sweden")


def order_key(sort, answers):
    """Where a claim falls in each order, worked out from its own fields and relations."""
    return {
        "source": lambda claim: (claim.source.slug, claim.pk),
        "date": lambda claim: (
            claim.source.published is None,
            claim.source.published or date.min,
            claim.pk,
        ),
        "answered": lambda claim: (-answers[claim.pk], claim.pk),
    }[sort]


@pytest.mark.parametrize("sort", ["source", "date", "answered"])
def test_claim_list_sorts(client, sort):
    """The first page is the first claims in the order asked for, computed here from the
    claims themselves (not with the queryset method the view uses)."""
    soup = soup_of(client.get("/claims/", {"sort": sort, "kind": "fact"}))
    shown = [int(row["id"].removeprefix("row-")) for row in soup.select(".results .claim")]
    facts = list(Claim.objects.published().filter(kind="fact").select_related("source"))
    answering = ClaimRelation.objects.filter(from_claim__status="published")
    answers = Counter(answering.values_list("to_claim", flat=True))
    key = order_key(sort, answers)
    expected = [claim.pk for claim in sorted(facts, key=key)][: ClaimListView.paginate_by]
    assert shown == expected
    if sort == "answered":
        assert answers[shown[0]] > answers[shown[-1]]


def test_country_list_has_one_row_per_country_with_its_latest_status(client):
    soup = soup_of(client.get("/countries/"))
    rows = {row.th.get_text(strip=True): row for row in soup.select("table.countries tbody tr")}
    assert len(rows) == Country.objects.count()
    japan = rows["Japan"]
    # Undecided on 13 Dec (CDT), reported as walking out on 30 Dec (People's Democracy).
    assert japan.select_one('td[data-label="Status"]').get_text(strip=True) == "Walked out"
    latest = japan.select_one('td[data-label="Latest report"]').get_text(" ")
    assert "30 Dec 2012" in latest and "after the conference closed" in latest


def test_source_page_renders_markdown_headings_and_offers_the_clean_text(client):
    soup = soup_of(client.get("/sources/wsws-us-walks-out-of-wcit/"))
    headings = soup.select('.reading [role="heading"]')
    assert [h.get_text() for h in headings][:2] == [
        "US walks out of World Conference on Information Technology",
        "Global split over telecom treaty",
    ]
    assert "#" not in headings[0].get_text()
    clean = soup_of(client.get("/sources/wsws-us-walks-out-of-wcit/?clean=1"))
    assert not clean.select(".reading mark") and not clean.select(".margin-notes")
    assert soup.select(".reading mark")


def test_margin_notes_number_claims_within_their_source(client):
    soup = soup_of(client.get("/sources/cdt-wcit-watch-day-11/"))
    numbers = [int(li["value"]) for li in soup.select("#text-cdt-wcit-watch-day-11 .note")]
    assert numbers == list(range(1, len(numbers) + 1))
    assert (
        len(numbers)
        == Claim.objects.published().filter(source__slug="cdt-wcit-watch-day-11").count()
    )


def test_countries_page_answers_with_a_map_then_the_table_then_a_timeline(client):
    soup = soup_of(client.get("/countries/"))
    main = soup.select_one("main")
    figure = main.find("figure")
    table = main.find("table", class_="countries")
    assert figure and table and figure.find_next("table", class_="countries") is table
    links = {a["href"]: a.get("aria-label") for a in figure.select("svg a")}
    for country in Country.objects.with_status_reports():
        status = country.reported_status()
        if status:
            assert country.get_absolute_url() in links, country.slug
    when = soup.select_one("#when").find_parent("section")
    assert when.select("ol li"), "the timeline's text twin lists its events"
    assert "the sources give different dates" in when.get_text()


def test_matrix_cells_link_to_the_claims_they_count(client):
    soup = soup_of(client.get("/countries/by-clause/"))
    cell = soup.select_one('a[href="/claims/?country=us&clause=5b"]')
    assert cell is not None
    expected = Claim.objects.published().filter(countries__code="US", clauses__code="5b").count()
    listed = soup_of(client.get("/claims/?country=us&clause=5b")).select(".results .claim")
    assert len(listed) == expected
    words = cell["aria-label"]
    assert words.startswith("United States of America, Article 5B:")
    assert sum(int(part.split()[0]) for part in words.rsplit(": ", 1)[1].split(", ")) == expected


def test_matrix_columns_are_headed_by_short_codes_named_in_full(client):
    soup = soup_of(client.get("/countries/by-clause/"))
    headings = soup.select(".wcit-matrix thead th")[1:]
    clauses = list(Clause.objects.all())
    assert [th.a.find(string=True, recursive=False) for th in headings] == [
        clause.short_title for clause in clauses
    ]
    for th, clause in zip(headings, clauses, strict=True):
        assert th.a["href"] == clause.get_absolute_url()
        assert th.a["title"] == clause.title
        assert th.a.get_text() == f"{clause.short_title}, {clause.title}"
    key = soup.select(".wcit-matrix-key dt")
    assert [dt.get_text() for dt in key] == [clause.short_title for clause in clauses]


def test_a_passage_many_claims_quote_is_marked_once(client, make_claim):
    original = Claim.objects.published().get(pk=1)
    copies = [
        make_claim(source=original.source, quote=original.quote, summary=f"Copy {i}.")
        for i in range(3)
    ]
    soup = soup_of(client.get(original.source.get_absolute_url()))
    assert len(soup.find_all("mark", id=True, attrs={"data-claim": "1"})) == 1
    for copy in copies:
        assert not soup.find(id=copy.dom_id)
    more = soup.select_one("#note-1 a.note-more")
    assert more.get_text() == "and 3 more claims on this passage"
    listed = soup_of(client.get(more["href"])).select(".results .claim")
    assert {int(row["id"].removeprefix("row-")) for row in listed} == {1, *(c.pk for c in copies)}
    # A copy's page leads to the one mark of its passage.
    page = soup_of(client.get(copies[0].get_absolute_url()))
    assert page.select_one("a.read-in-source")["href"].endswith("#claim-1")


def test_claim_rows_read_nothing_beyond_for_rows(django_assert_num_queries):
    """``for_rows()`` reads a row's fields only (``ROW_FIELDS``) and, in a second query, who
    answered each: a field the row template shows beyond them would be read by a query per
    row."""
    with django_assert_num_queries(2):
        claims = list(Claim.objects.published().for_rows())
        html = render_to_string("wcit/_claim_rows.html", {"claims": claims})
    assert html.count("<article") == len(claims) > 400
    assert any(claim.speaker for claim in claims) and any(claim.rebutted_count for claim in claims)
    assert "rebutted by <a href=" in html


# Where each country stood -----------------------------------------------------------


def test_a_status_says_as_of_when_and_that_no_final_decision_is_reported(client):
    """Sweden: undecided on 13 December 2012 (CDT), a date the sources give for the close,
    and no later report: the page says when, from whom, and that no decision is reported."""
    soup = soup_of(client.get("/countries/se/"))
    answer = soup.select_one("p.answer").get_text(" ", strip=True)
    assert "Undecided" in answer and "WCIT Watch Day 11" in answer
    assert "13 Dec 2012, as the conference closed" in answer
    assert "No source reports whether Sweden signed in the end." in answer
    closing = soup.select_one("p.answer + p").get_text(" ", strip=True)
    assert "13 December 2012" in closing and "14 December 2012" in closing
    # The United States: decisions reported, after the close.
    answer = soup_of(client.get("/countries/us/")).select_one("p.answer").get_text(" ")
    assert "after the conference closed" in answer and "No source reports" not in answer


def test_named_countries_without_a_status_are_not_unnamed(client):
    """China is named by twelve claims but no source reports whether it signed."""
    soup = soup_of(client.get("/countries/"))
    china = soup.select_one('.wcit-map a[href="/countries/cn/"]')
    assert china["aria-label"] == "China: named, no status reported"
    row = next(r for r in soup.select("table.countries tbody tr") if r.th.get_text() == "China")
    assert row.select_one('td[data-label="Status"]').get_text(strip=True) == "No status reported"
    legend = soup.select_one(".wcit-legend").get_text(" ")
    assert "Named, no status reported" in legend and "Not named by the sources" in legend


def legend_counts(soup):
    """{status: the number the map's legend gives}, from the legend's links."""
    counts = {}
    for link in soup.select(".wcit-legend a"):
        status = parse_qs(urlsplit(link["href"]).query)["status"][0]
        counts[status] = int(link.span.get_text().strip("()"))
    return counts


def test_the_map_the_filter_and_the_list_count_the_same_countries(client):
    soup = soup_of(client.get("/countries/"))
    counts = legend_counts(soup)
    assert set(counts) >= {"signed", "not_signed", "walked_out", "undecided", "named"}
    assert sum(counts.values()) == Country.objects.count()
    badges = [cell.get_text(strip=True) for cell in soup.select('td[data-label="Status"]')]
    for status, count in counts.items():
        filtered = soup_of(client.get("/countries/", {"status": status}))
        assert len(filtered.select("table.countries tbody tr")) == count, status
        assert len(filtered.select(f"svg a.wcit-status-{status}")) == count, status
    assert len(badges) == Country.objects.count()


def test_the_status_filter_takes_several_values_and_answers_who_refused(client):
    soup = soup_of(client.get("/countries/"))
    refused = soup.select_one('p.answer a[href*="status=walked_out"]')
    both = soup_of(client.get("/countries/" + refused["href"].split("#")[0]))
    statuses = {c.get_text(strip=True) for c in both.select('td[data-label="Status"]')}
    assert statuses == {"Did not sign", "Walked out"}
    counts = legend_counts(soup)
    assert (
        len(both.select("table.countries tbody tr")) == counts["not_signed"] + counts["walked_out"]
    )
    assert client.get("/countries/?status=maybe").status_code == 400
    api = client.get("/api/countries/?status=not_signed&status=walked_out").json()
    assert {country["status"] for country in api["results"]} == {"not_signed", "walked_out"}


def test_badges_and_map_share_one_colour_per_status():
    from pathlib import Path

    from wcit import pictures

    css = (Path(__file__).parent.parent / "static" / "wcit" / "site.css").read_text()
    for status, (_words, colour, _marks) in pictures.STATUS_STYLES.items():
        assert f".status-{status} {{ background: {colour}; }}" in css, status
