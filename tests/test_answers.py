"""Who said what, whole, and who answered whom: the US statement read in one piece, rows that
name their answerers, a speaker's exchanges, and the clause page's first line."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from wcit.corpus import broken_anchors
from wcit.models import Claim, ClaimRelation, Speaker, Statement

pytestmark = pytest.mark.django_db

STATEMENT = "us-head-of-delegation-statement"


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def words(element):
    return " ".join(element.get_text(" ").split())


# The US statement, whole ------------------------------------------------------------


def test_the_statement_resolves_once_and_holds_the_delegations_claims_in_order():
    statement = Statement.objects.get(slug=STATEMENT)
    assert statement.text.startswith("Mr. Chairman, as Head of the U.S. Delegation")
    assert statement.text.endswith("thank you for your time.")
    claims = statement.claims()
    # Every US-delegation claim quoted from the wrap-up post lies inside the statement.
    quoted = Claim.objects.published().filter(
        source=statement.source, speaker__slug="us-delegation"
    )
    assert {c.pk for c in claims} == set(quoted.values_list("pk", flat=True))
    assert len(claims) == 15
    starts = [claim.anchor.start for claim in claims]
    assert starts == sorted(starts)
    # The post's own claims (before and after the statement) are not in it.
    assert Claim.objects.filter(source=statement.source).count() > len(claims)


@pytest.mark.parametrize("slug", ["us-delegation", "terry-kramer"])
def test_the_statement_reads_whole_from_the_delegations_page_and_its_members(client, slug):
    soup = soup_of(client.get(f"/speakers/{slug}/"))
    section = soup.find(id=f"statement-{STATEMENT}").find_parent("section")
    text = words(section.select_one(".reading"))
    statement = Statement.objects.get(slug=STATEMENT)
    # Whole: every paragraph of it, in order.
    paragraphs = [" ".join(p.split()) for p in statement.text.split("\n\n")]
    positions = [text.find(paragraph[:60]) for paragraph in paragraphs]
    assert -1 not in positions and positions == sorted(positions)
    # Each claim still marked, numbered 1..15 in reading order, and noted in the margin.
    marks = [int(mark["data-claim"]) for mark in section.select("mark[id]")]
    assert marks == [claim.pk for claim in statement.claims()]
    notes = [int(note["value"]) for note in section.select("li.note")]
    assert notes == list(range(1, 16))
    # It comes before the lists: the first section of the page.
    assert soup.select("main section")[0] is section


def test_a_member_page_says_whose_statement_it_is_and_what_the_source_leaves_unsaid(client):
    soup = soup_of(client.get("/speakers/terry-kramer/"))
    assert soup.find("a", href="/speakers/us-delegation/")
    section = soup.find(id=f"statement-{STATEMENT}").find_parent("section")
    meta = " ".join(section.get_text().split())
    assert "A statement of the United States delegation, which Terry Kramer was part of" in meta
    assert "does not name him" in meta
    delegation = soup_of(client.get("/speakers/us-delegation/"))
    assert delegation.find("a", href="/speakers/terry-kramer/")


def test_a_statement_that_stops_resolving_is_named_not_moved():
    statement = Statement.objects.get(slug=STATEMENT)
    statement.quote = statement.quote.replace("heavy heart", "light heart")
    with pytest.raises(ValidationError, match="us-head-of-delegation-statement"):
        statement.full_clean()
    statement.save()
    assert any(STATEMENT in message for message in broken_anchors())


def test_a_statement_without_claims_in_it_marks_none(client):
    statement = Statement.objects.get(slug=STATEMENT)
    Claim.objects.filter(pk__in=[c.pk for c in statement.claims()]).update(
        status=Claim.Status.DRAFT
    )
    assert statement.claims() == []
    soup = soup_of(client.get("/speakers/us-delegation/"))
    section = soup.find(id=f"statement-{STATEMENT}").find_parent("section")
    assert "heavy heart" in words(section) and not section.select("mark")


# Rows that name who answered them ------------------------------------------------------


def test_rows_name_who_rebutted_and_supported_them_linked_to_the_answers(client):
    soup = soup_of(client.get("/claims/", {"answered": "any"}))
    checked = 0
    for row in soup.select("article.claim"):
        claim = Claim.objects.get(pk=row["data-claim"])
        for how, kind in (("rebutted", "rebuts"), ("supported", "supports")):
            badge = row.select_one(f".answer-badge.{how}")
            answers = ClaimRelation.objects.filter(
                to_claim=claim, kind=kind, from_claim__status=Claim.Status.PUBLISHED
            ).select_related("from_claim__speaker")
            if not answers:
                assert badge is None
                continue
            named = {a.from_claim.speaker.name if a.from_claim.speaker else None for a in answers}
            shown = badge.select("a[href^='/claims/']:not([href*='#'])")
            assert 1 <= len(shown) <= 3
            for link in shown:
                answer = Claim.objects.get(pk=link["href"].strip("/").split("/")[-1])
                assert answers.filter(from_claim=answer).exists()
                name = link.get_text()
                assert name in named or (name == "an unnamed author" and None in named)
            if len(shown) < answers.count():
                assert f"({answers.count()} claim" in words(badge)
            checked += 1
    assert checked > 10


def test_a_draft_answer_is_neither_counted_nor_named():
    relation = ClaimRelation.objects.filter(kind="rebuts").select_related("from_claim").first()
    answer, answered = relation.from_claim, relation.to_claim
    ClaimRelation.objects.filter(to_claim=answered).exclude(pk=relation.pk).delete()
    Claim.objects.filter(pk=answer.pk).update(status=Claim.Status.DRAFT)
    rows = Claim.objects.for_rows().filter(pk=answered.pk)
    (row,) = rows
    assert row.rebutters == [] and row.rebutted_count == 0


# A speaker's exchanges -----------------------------------------------------------------


def test_a_speaker_page_says_who_answered_them_and_whom_they_answered(client):
    mueller = Speaker.objects.get(slug="milton-mueller")
    soup = soup_of(client.get("/speakers/milton-mueller/"))
    section = soup.find(id="answers").find_parent("section")
    facts = {dt.get_text(): dd for dt in section.select("dt") for dd in [dt.find_next("dd")]}
    curran = Claim.objects.published().filter(speaker__slug="john-curran")
    mine = Claim.objects.published().filter(speaker=mueller)
    rebuttals = ClaimRelation.objects.filter(
        from_claim__in=curran, to_claim__in=mine, kind="rebuts"
    )
    assert rebuttals.count() > 0
    assert f"John Curran ({rebuttals.count()} rebuttal" in words(facts["Answered by"])
    answered = ClaimRelation.objects.filter(from_claim__in=mine, to_claim__in=curran, kind="rebuts")
    assert f"John Curran ({answered.count()} rebuttal" in words(facts["Answered"])
    # The exchange itself: every turn is a claim of Mueller's or of someone answering or
    # answered by him, and no claim answers one of the same speaker's.
    turns = section.select("li.turn")
    assert turns
    assert "Milton L Mueller" not in words(facts["Answered by"])


def test_a_speaker_nobody_answered_has_no_exchange_section(client):
    quiet = Speaker.objects.create(slug="quiet", name="Quiet", kind="person")
    soup = soup_of(client.get(quiet.get_absolute_url()))
    assert soup.find(id="answers") is None


# The clause page's first line ----------------------------------------------------------


def test_the_clause_page_says_first_who_is_against_and_for_and_why(client):
    soup = soup_of(client.get("/clauses/5b/"))
    first = soup.select_one("ul.who-says")
    # Before the text and the commentary.
    assert first.find_next(id="text") is not None
    sides = {
        li.select_one(".stance-chip").get_text(): li for li in first.find_all("li", recursive=False)
    }
    assert set(sides) == {"For", "Against"}
    against = sides["Against"]
    names = [li.a.get_text() for li in against.select("ul li")]
    # Delegations first: the US delegation leads, though others have more claims.
    assert names[0] == "United States delegation"
    link = against.select("ul li")[0].select("a")[1]
    claim = Claim.objects.get(pk=link["href"].strip("/").split("/")[-1])
    assert claim.stance == "against" and claim.speaker.slug == "us-delegation"
    assert claim.clauses.filter(code="5b").exists()
    assert "toward this clause's text" in words(first.find_next("p"))


def test_the_clause_page_groups_open_with_the_delegation(client):
    soup = soup_of(client.get("/clauses/5b/"))
    against = soup.find(id="stance-against").find_parent("section")
    groups = against.select("details.group")
    assert groups[0].has_attr("open")
    assert groups[0].summary.select_one(".group-title").get_text() == "United States delegation"
    assert not any(group.has_attr("open") for group in groups[1:])
    # Each group's count is that speaker's claims against 5B, not a sample's.
    for group in groups:
        name = group.summary.select_one(".group-title").get_text()
        claims = Claim.objects.published().filter(clauses__code="5b", stance="against")
        claims = (
            claims.filter(speaker__name=name)
            if name != "Unnamed authors"
            else claims.filter(speaker__isnull=True)
        )
        assert group.summary.select_one(".count").get_text().startswith(f"{claims.count()} ")
