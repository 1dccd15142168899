"""Disputes: the debate's disagreements, each side held by claims linked to their passages."""

import copy
import json
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.http import QueryDict
from django.urls import reverse

from wcit import reading
from wcit.filters import DisputeFilter
from wcit.models import Claim, ClaimRelation, Dispute

pytestmark = pytest.mark.django_db


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


# The corpus ------------------------------------------------------------------


def test_every_dispute_has_two_sides_each_held_by_a_published_claim():
    disputes = list(Dispute.objects.for_list())
    assert len(disputes) >= 10
    for dispute in disputes:
        positions = list(dispute.positions.all())
        assert len(positions) >= 2, dispute.slug
        for position in positions:
            assert position.published_claims, (dispute.slug, position.key)


def test_no_claim_takes_two_sides_of_one_dispute():
    for dispute in Dispute.objects.for_list():
        claims = [claim.pk for claim in dispute.claims()]
        assert len(claims) == len(set(claims)), dispute.slug
        common = {claim.pk for claim in dispute.published_common_ground}
        assert not common & set(claims), dispute.slug


def test_most_disputes_span_more_than_one_document():
    """Disagreements across documents count as much as replies inside the thread."""
    from wcit.coverage import debate_figures

    figures = debate_figures()
    assert figures.disputes == Dispute.objects.count()
    assert figures.spanning_documents >= 10


# Pages -------------------------------------------------------------------------


def test_every_claim_on_a_dispute_page_links_to_its_passage(client):
    quoted = 0
    for dispute in Dispute.objects.all():
        soup = soup_of(client.get(dispute.get_absolute_url()))
        shown = soup.select("[data-claim]")
        assert soup.select(".position .dispute-claim"), dispute.slug
        for element in shown:
            claim = Claim.objects.get(pk=int(element["data-claim"]))
            link = element.select_one("a.passage-link") or element.find("a", string="passage")
            assert link["href"] == claim.passage_url, (dispute.slug, claim.pk)
            passage = element.select_one(".passage")
            if passage:
                quoted += 1
                assert passage.get_text(strip=True) == claim.quote.strip()
    assert quoted, "the strongest claims of a dispute with few sides show their quotes"


def test_a_passage_link_lands_on_a_mark_of_that_claim(client):
    dispute = Dispute.objects.get(slug="did-the-final-text-mention-the-internet")
    for position in dispute.positions.all():
        claim = position.claims.first()
        page = soup_of(client.get(claim.source.get_absolute_url()))
        assert page.find("mark", id=claim.dom_id), claim.pk


def test_dispute_page_shows_the_sides_side_by_side_then_the_exchange(client):
    dispute = Dispute.objects.get(slug="did-the-final-text-mention-the-internet")
    soup = soup_of(client.get(dispute.get_absolute_url()))
    assert soup.h1.get_text() == dispute.question
    sides = soup.select(".sides-grid > .position")
    labels = [
        f"{letter} {p.label}" for letter, p in zip("AB", dispute.positions.all(), strict=True)
    ]
    assert [side.h2.get_text(" ", strip=True) for side in sides] == labels
    exchange = soup.find(id="exchange")
    assert all(side.find_next(id="exchange") is exchange for side in sides)
    turns = [li["id"] for li in soup.select(".exchange-thread li.turn")]
    assert turns and len(turns) == len(set(turns)), "each claim once in the exchange"


def test_clause_country_source_speaker_and_claim_pages_name_their_disputes(client):
    dispute = Dispute.objects.get(slug="did-the-final-text-mention-the-internet")
    claim = dispute.positions.first().claims.first()
    urls = [claim.get_absolute_url(), claim.source.get_absolute_url()]
    if claim.speaker:
        urls.append(claim.speaker.get_absolute_url())
    urls += [country.get_absolute_url() for country in claim.countries.all()]
    urls += [clause.get_absolute_url() for clause in claim.clauses.all()]
    for url in urls:
        links = {a["href"].split("#")[0] for a in soup_of(client.get(url)).select("a")}
        assert dispute.get_absolute_url() in links, url


def test_home_page_leads_into_the_main_disputes(client):
    soup = soup_of(client.get("/"))
    links = [a["href"] for a in soup.select(".home-disputes a")]
    assert links[0] == Dispute.objects.first().get_absolute_url()


def test_clause_page_replaces_the_flat_exchanges_with_its_disputes(client):
    soup = soup_of(client.get("/clauses/5b/"))
    assert not soup.select(".exchange")
    expected = Dispute.objects.involving(Claim.objects.published().filter(clauses__code="5b"))
    shown = {a["href"] for a in soup.select(".disputes-involved a")}
    assert shown == {dispute.get_absolute_url() for dispute in expected}


# Filters and counts ------------------------------------------------------------


def disputes(**params):
    filterset = DisputeFilter(QueryDict(mutable=True) | params, queryset=Dispute.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset


def test_dispute_filter_keeps_disputes_with_a_matching_claim():
    chosen = set(disputes(clause="5b").qs)
    assert chosen and len(chosen) < Dispute.objects.count()
    for dispute in Dispute.objects.for_list():
        has = any(
            "5b" in [clause.code for clause in claim.clauses.all()] for claim in dispute.claims()
        )
        assert (dispute in chosen) == has, dispute.slug


def test_dispute_filter_takes_a_country_code_in_either_case():
    assert list(disputes(country="US").qs) == list(disputes(country="us").qs)


def test_dispute_facet_counts_match_the_filtered_lists(client):
    soup = soup_of(client.get("/disputes/?clause=5b"))
    rows = soup.select('[data-facet="speaker"] li')
    assert rows
    for row in rows:
        slug, count = row.a["data-value"], int(row.select_one(".count").get_text())
        assert count == disputes(clause="5b", speaker=slug).qs.count(), slug


def test_a_filtered_dispute_list_shows_matches_and_hides_the_rest(client):
    soup = soup_of(client.get("/disputes/?speaker=olivier"))
    shown = {a["href"] for a in soup.select(".dispute-row h2 a")}
    expected = set(
        Dispute.objects.involving(Claim.objects.published().filter(speaker__slug="olivier"))
    )
    assert shown == {dispute.get_absolute_url() for dispute in expected}
    assert len(shown) < Dispute.objects.count()


def test_dispute_downloads_and_api_give_the_same_rows(client):
    body = b"".join(client.get("/disputes.json?clause=5b").streaming_content)
    downloaded = json.loads(body)["results"]
    served = client.get("/api/disputes/?clause=5b").json()["results"]
    assert downloaded == served
    assert [row["slug"] for row in served] == [d.slug for d in disputes(clause="5b").qs]
    for row in served:
        dispute = Dispute.objects.get(slug=row["slug"])
        assert [p["key"] for p in row["positions"]] == [p.key for p in dispute.positions.all()]


def test_answered_filter_and_badges(client):
    rebutted = Claim.objects.published().answered("rebutted")
    soup = soup_of(client.get("/claims/?answered=rebutted"))
    assert f"{rebutted.count()} claims match" in soup.get_text()
    for row in soup.select(".results article.claim"):
        claim = Claim.objects.get(pk=int(row["id"].removeprefix("row-")))
        answers = ClaimRelation.objects.filter(
            to_claim=claim, kind="rebuts", from_claim__status="published"
        ).values_list("from_claim", flat=True)
        assert answers
        badge = row.select_one(".answer-badge.rebutted")
        named = {
            int(a["href"].strip("/").split("/")[-1]) for a in badge.select("a:not([href*='#'])")
        }
        assert named and named <= set(answers)


def test_answer_counts_count_only_published_answers(make_claim):
    target = make_claim()
    answer = make_claim(quote="leaving many delegates frustrated")
    ClaimRelation.objects.create(from_claim=answer, to_claim=target, kind="rebuts")
    assert Claim.objects.with_answer_counts().get(pk=target.pk).rebutted_count == 1
    answer.status = Claim.Status.DRAFT
    answer.save()
    assert Claim.objects.with_answer_counts().get(pk=target.pk).rebutted_count == 0
    assert not Claim.objects.answered("rebutted").filter(pk=target.pk).exists()


# The exchange as a thread ------------------------------------------------------


def fake(pk):
    return SimpleNamespace(pk=pk)


def link(answer, answered, kind="rebuts"):
    return SimpleNamespace(
        from_claim=answer,
        to_claim=answered,
        from_claim_id=answer.pk,
        to_claim_id=answered.pk,
        kind=kind,
    )


def test_exchange_nests_replies_and_shows_each_claim_once():
    a, b, c, d = fake(1), fake(2), fake(3), fake(4)
    # b and c answer a; d answers both b and c.
    threads = reading.exchange([link(b, a), link(c, a), link(d, b), link(d, c)])
    (opening,) = threads
    assert opening.claim is a and opening.relation is None
    assert [turn.claim for turn in opening.replies] == [b, c]
    (under_b,) = opening.replies[0].replies
    assert under_b.claim is d and under_b.also_answers == [c]
    assert opening.replies[1].replies == []


def test_exchange_survives_a_cycle():
    a, b = fake(1), fake(2)
    threads = reading.exchange([link(a, b), link(b, a)])
    placed = []

    def walk(turns):
        for turn in turns:
            placed.append(turn.claim.pk)
            walk(turn.replies)

    walk(threads)
    assert sorted(placed) == [1, 2]


# Curation ----------------------------------------------------------------------


@pytest.fixture
def curator_client(client):
    user = User.objects.create_user("cora", password="curate-carefully-12", is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    client.force_login(user)
    return client


def dispute_form(first, second, **overrides):
    return {
        # The English of each curated label: the admin has a field per language (question_fr, ...).
        "question_en": "Did the conference end on a Friday?",
        "slug": "did-the-conference-end-on-a-friday",
        "summary_en": "The sources date the break-up differently.",
        "position": "99",
        "common_ground": [],
        "positions-TOTAL_FORMS": "2",
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "2",
        "positions-MAX_NUM_FORMS": "1000",
        "positions-0-key": "yes",
        "positions-0-order": "1",
        "positions-0-label_en": "Yes",
        "positions-0-claims": first,
        "positions-1-key": "no",
        "positions-1-order": "2",
        "positions-1-label_en": "No",
        "positions-1-claims": second,
        **overrides,
    }


def test_curator_creates_a_dispute_with_its_positions(curator_client):
    response = curator_client.post(reverse("admin:wcit_dispute_add"), dispute_form([1], [175]))
    assert response.status_code == 302, response.content.decode()[:3000]
    dispute = Dispute.objects.get(slug="did-the-conference-end-on-a-friday")
    assert [list(p.claims.values_list("pk", flat=True)) for p in dispute.positions.all()] == [
        [1],
        [175],
    ]
    assert dispute.history.count() == 1
    # Each position's history records it, and its claims (an m2m change is a record too).
    for position in dispute.positions.all():
        latest = position.history.first()
        assert [row.claim_id for row in latest.claims.all()] == list(
            position.claims.values_list("pk", flat=True)
        )


def test_a_claim_on_both_sides_or_a_side_without_claims_is_refused(curator_client):
    response = curator_client.post(reverse("admin:wcit_dispute_add"), dispute_form([1], [1]))
    assert response.status_code == 200
    assert "Claim #1 already takes the position" in response.content.decode()
    response = curator_client.post(reverse("admin:wcit_dispute_add"), dispute_form([1], []))
    assert "Every position needs at least one claim" in response.content.decode()
    assert not Dispute.objects.filter(slug="did-the-conference-end-on-a-friday").exists()


def test_a_long_side_shows_its_first_claims_folds_the_next_and_links_to_them_all(client):
    from wcit.views.outlines import SIDE_FOLDED, SIDE_SHOWN

    dispute = Dispute.objects.get(slug="why-did-the-us-and-its-allies-refuse-to-sign")
    position = max(dispute.positions.all(), key=lambda p: p.claims.count())
    shown = SIDE_SHOWN // dispute.positions.count()
    assert position.claims.count() > shown + SIDE_FOLDED
    soup = soup_of(client.get(dispute.get_absolute_url()))
    side = soup.select_one(f"#side-{position.key}")
    open_claims = [c for c in side.select(".dispute-claim") if not c.find_parent("details")]
    assert len(open_claims) == shown
    assert len(side.select("details .dispute-claim")) == SIDE_FOLDED
    link = side.select_one(".more a")["href"]
    listed = soup_of(client.get(link)).select(".results .claim")
    assert {int(row["id"].removeprefix("row-")) for row in listed} == set(
        position.claims.values_list("pk", flat=True)
    )


CLAIM_PAGE = re.compile(r"/claims/(\d+)/")


def claims_shown(soup):
    """(Counter of the claim ids of the page's ``data-claim`` elements, Counter of the claim
    ids its links to claim pages name): a claim shown twice counts twice in either."""
    marked = Counter(int(element["data-claim"]) for element in soup.select("main [data-claim]"))
    linked = Counter(
        int(match[1])
        for a in soup.select("main a[href]")
        if (match := CLAIM_PAGE.fullmatch(a["href"]))
    )
    return marked, linked


def test_a_dispute_page_shows_each_claim_once(client):
    """Once under its side (or in the exchange, if no side shows it): the exchange names a
    claim shown above by its tag, linked to its place, and does not show it again."""
    for dispute in Dispute.objects.all():
        soup = soup_of(client.get(dispute.get_absolute_url()))
        marked, linked = claims_shown(soup)
        assert marked and max(marked.values()) == 1, dispute.slug
        assert linked == marked, dispute.slug
        for tag in soup.select(".exchange-thread a.claim-tag"):
            place = soup.find(id=tag["href"].removeprefix("#"))
            assert tag.get_text() == "claim " + place.select_one(".claim-tag").get_text()
            assert not tag.find_parent("li").has_attr("data-claim")


def test_each_side_leads_with_its_most_answered_claims(client):
    dispute = Dispute.objects.get(slug="what-made-the-conference-break-up")
    ids = Claim.objects.published().filter(positions__dispute=dispute)
    within = ClaimRelation.objects.filter(from_claim__in=ids, to_claim__in=ids)
    answered = Counter(within.values_list("to_claim", flat=True))
    soup = soup_of(client.get(dispute.get_absolute_url()))
    led = 0
    for position in dispute.positions.all():
        side = soup.select_one(f"#side-{position.key}")
        first = int(side.select_one(".dispute-claim")["data-claim"])
        most = max(answered[pk] for pk in position.claims.published().values_list("pk", flat=True))
        assert answered[first] == most, position.key
        led += most > 0
        if answered[first]:
            count = side.select_one(f'#c{first} a[href="#turn-{first}"]').get_text()
            assert count == f"{answered[first]} answer{'s' if answered[first] > 1 else ''}"
    assert led >= 3, "most sides of this dispute hold an answered claim"


def visible(soup):
    """The page's main content as it first shows: every fold closed, its summary alone."""
    main = copy.copy(soup.select_one("main"))
    for fold in main.find_all("details"):
        for child in list(fold.children):
            if getattr(child, "name", None) != "summary":
                child.extract()
    return main


def test_a_dispute_page_stays_bounded_as_the_corpus_grows(client, grow_corpus):
    from wcit.views.outlines import AGREED_SHOWN, EXCHANGE_LIMIT, SIDE_FOLDED, SIDE_SHOWN

    def claims(dispute):
        return Claim.objects.filter(positions__dispute=dispute).count()

    dispute = max(Dispute.objects.all(), key=claims)
    url = dispute.get_absolute_url()
    before = visible(soup_of(client.get(url)))
    claims_before = claims(dispute)
    grow_corpus(1000)
    assert claims(dispute) >= 3 * claims_before
    page = soup_of(client.get(url))
    after = visible(page)
    # What shows before a fold is opened: as many claims as before, and about as much text.
    assert len(after.select("[data-claim]")) == len(before.select("[data-claim]"))
    assert len(after.get_text()) <= 1.1 * len(before.get_text())
    # And inside the folds, a bounded number.
    sides = dispute.positions.count()
    bound = sides * (max(1, SIDE_SHOWN // sides) + SIDE_FOLDED) + AGREED_SHOWN + SIDE_FOLDED
    assert len(page.select("main [data-claim]")) <= bound + EXCHANGE_LIMIT + 1


def test_a_disputes_concerns_are_what_its_sides_claims_are_about_in_order():
    """``with_concerns`` reads in a query each what each claim's own links say."""
    from wcit.models import with_concerns

    disputes = with_concerns(list(Dispute.objects.for_list()))
    for dispute in disputes:
        claims = dispute.claims()
        clauses = [clause for claim in claims for clause in claim.clauses.all()]
        countries = [country for claim in claims for country in claim.countries.all()]
        assert dispute.clauses() == list(dict.fromkeys(clauses)), dispute.slug
        assert dispute.countries() == list(dict.fromkeys(countries)), dispute.slug
    assert sum(len(d.clauses()) > 1 for d in disputes) and sum(
        len(d.countries()) > 1 for d in disputes
    )


@pytest.mark.parametrize("url", ["/disputes/", "/api/disputes/", "/disputes.csv", "/disputes.json"])
def test_a_list_of_disputes_reads_their_clauses_in_one_query(client, url):
    """Not one query per dispute: the list, the API and the downloads read the concerns
    of their page together (``with_concerns``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    clause_queries = [
        q
        for q in context.captured_queries
        # Not the facet counts of the HTML list's filters, which count by clause.
        if '"wcit_claim_clauses"' in q["sql"] and "COUNT(" not in q["sql"]
    ]
    assert Dispute.objects.count() > 10
    assert len(clause_queries) == 1, [q["sql"][:200] for q in clause_queries]
