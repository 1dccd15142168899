"""A source's page: what it is, an abstract of its claims, a table of contents for a thread,
long replies folded to their opening, the charts after the text."""

from collections import Counter

import pytest
from bs4 import BeautifulSoup

from wcit import reading
from wcit.models import Claim, Dispute, Source
from wcit.views.outlines import ABSTRACT_NAMES, FOLD_CLAIMS

pytestmark = pytest.mark.django_db

POST = "what-really-happened-in-dubai"


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def words(element):
    return " ".join(element.get_text(" ").split())


def published(source):
    return Claim.objects.published().filter(source=source)


def test_a_thread_opens_with_its_contents_each_reply_with_its_author_and_claims(client):
    post = Source.objects.get(slug=POST)
    soup = soup_of(client.get(post.get_absolute_url()))
    toc = soup.select_one("nav.source-toc")
    assert toc.find_next(id="reading-heading"), "the contents come before the text"
    first = toc.select_one(".toc-post")
    assert first.a["href"] == f"#text-{POST}" and soup.find(id=f"text-{POST}")
    assert f"{published(post).count()} claims" in words(first)
    thread = Source.objects.descendants_of(post)
    assert len(thread) == 17
    entries = toc.select("ol.toc > li")
    assert [li.a["href"] for li in entries] == [f"#reply-{reply.slug}" for reply in thread]
    for entry, reply in zip(entries, thread, strict=True):
        n = published(reply).count()
        own = words(entry).removesuffix(words(entry.ol) if entry.ol else "").strip()
        name = reply.author.name if reply.author else "Unsigned"
        assert own == f"{name} {n} claim{'s' if n != 1 else ''}", reply.slug
        assert soup.find(id=f"reply-{reply.slug}").find("h3").get_text() == reply.title
    # Nested as the replies are: 1.1 answers 1.
    reply = Source.objects.get(slug=f"{POST}-comment-1-1")
    link = toc.select_one(f'a[href="#reply-{reply.slug}"]')
    assert link.find_parent("li").find_parent("li").a["href"] == f"#reply-{reply.parent.slug}"


def test_a_source_without_replies_has_no_contents(client):
    soup = soup_of(client.get("/sources/cdt-wcit-watch-day-11/"))
    assert soup.select_one("nav.source-toc") is None


def test_the_abstract_counts_the_claims_and_names_what_they_are_most_about(client):
    post = Source.objects.get(slug=POST)
    thread = Source.objects.descendants_of(post)
    claims = Claim.objects.published().filter(source__in=[post, *thread])
    claims = claims.prefetch_related("clauses", "countries")
    soup = soup_of(client.get(post.get_absolute_url()))
    abstract = soup.select_one(".abstract")
    text = words(abstract)
    in_replies = claims.exclude(source=post).count()
    assert text.startswith(
        f"{published(post).count()} claims marked in the blog post and {in_replies} in its "
        "17 replies."
    )
    for field, plural in (("clauses", "clauses"), ("countries", "countries")):
        counts = Counter(
            item.get_absolute_url() for claim in claims for item in getattr(claim, field).all()
        )
        named = [a["href"] for a in abstract.select("a") if a["href"] in counts]
        assert len(named) == ABSTRACT_NAMES, field
        # The most named: none left out is named more often than one named.
        assert min(counts[url] for url in named) >= max(
            n for url, n in counts.items() if url not in named
        )
        assert f"(of {len(counts)} {plural})" in text
    disputes = Dispute.objects.involving(claims).count()
    assert f"they take sides in {disputes} disputes" in text
    assert abstract.find("a", href="#disputes") and soup.find(id="disputes")
    listed = abstract.find("a", string=f"List the blog post's {published(post).count()} claims")
    assert listed["href"] == f"/claims/?source={POST}"


def test_the_byline_shows_only_what_the_record_holds(client):
    bare = Source.objects.get(slug="wcit-wraps-up-without-american-support")
    assert not (bare.author or bare.outlet or bare.published or bare.url)
    soup = soup_of(client.get(bare.get_absolute_url()))
    assert words(soup.select_one(".byline")) == "Blog post · undated"
    full = Source.objects.get(slug="cdt-wcit-watch-day-11")
    byline = soup_of(client.get(full.get_absolute_url())).select_one(".byline")
    assert words(byline) == (
        "Blog post · Center for Democracy & Technology · 13 December 2012 · the original"
    )
    assert byline.time["datetime"] == "2012-12-13"
    assert byline.find("a", string="the original")["href"] == full.url


def test_the_charts_come_after_the_text(client):
    soup = soup_of(client.get(f"/sources/{POST}/"))
    charts = soup.select_one(".tally-charts")
    assert charts and charts.find_previous(id="reading-heading")
    assert not soup.select_one("header .tally-charts")


def test_long_replies_fold_to_their_opening_with_their_first_claims_listed(client):
    post = Source.objects.get(slug=POST)
    soup = soup_of(client.get(post.get_absolute_url()))
    folded = 0
    for reply in Source.objects.descendants_of(post):
        article = soup.find(id=f"reply-{reply.slug}").article
        fold = article.find("details", recursive=False)
        opening, whole = reading.opening(reply.text, 20, 50)
        if whole:
            assert fold is None, reply.slug
            continue
        folded += 1
        summary = words(fold.summary.select_one(".fold-opening"))
        assert summary == " ".join(opening.split()), reply.slug
        # Its text is inside the fold, every passage marked there.
        for claim in published(reply):
            assert fold.find(attrs={"data-claim": str(claim.pk)}), (reply.slug, claim.pk)
        listed = article.select_one(".fold-claims")
        if listed:
            links = [li.select_one("a.note-number")["href"] for li in listed.select("li")]
            assert 0 < len(links) <= FOLD_CLAIMS
            assert all(fold.select_one(f"mark{href}") for href in links)
    assert folded >= 10
    ids = [tag["id"] for tag in soup.select("[id]")]
    assert len(ids) == len(set(ids))


def test_a_reply_opens_with_its_first_paragraph_and_more_while_that_is_a_greeting():
    text = "Milton –\n\nThe final text never names the Internet.\n\nSecond thought."
    assert reading.opening(text, 5, 50) == (
        "Milton –\nThe final text never names the Internet.",
        False,
    )
    assert reading.opening(text, 5, 4) == ("Milton –\nThe final …", False)
    assert reading.opening("Short and whole.", 5, 50) == ("Short and whole.", True)
    assert reading.opening(text, 1, 50) == ("Milton –", False)


def test_a_replys_opening_is_escaped_like_its_text(client):
    reply = Source.objects.get(slug=f"{POST}-comment-2")
    reply.text = "<img src=x onerror=alert(1)> opens the reply.\n\n" + reply.text
    reply.save()
    soup = soup_of(client.get(f"/sources/{POST}/"))
    fold = soup.find(id=f"reply-{reply.slug}").details
    assert fold.summary.select_one(".fold-opening").get_text().startswith("<img src=x")
    assert not soup.select("main img")
