"""Search behaves the same on PostgreSQL (full-text) and SQLite (stemmed fallback)."""

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from wcit import search
from wcit.models import Claim, Clause, Country, Source
from wcit.views import ClaimListView

pytestmark = pytest.mark.django_db

VERISIGN = "Suppose it ordered Verisign to remove .IR from the DNS root and make it nonfunctional."


def post():
    return Source.objects.get(slug="what-really-happened-in-dubai")


def test_signing_finds_sign(make_claim):
    claim = make_claim(summary="CDT says the delegates would not sign it.")
    assert "signing" not in claim.summary + claim.quote
    found = search.search_claims(Claim.objects.published(), "signing")
    assert claim in found


def test_better_match_ranks_first(make_claim):
    weak = make_claim(source=post(), quote=VERISIGN, summary="Mueller imagines an order.")
    strong = make_claim(
        source=post(), quote=VERISIGN, summary="Mueller imagines Verisign removing .IR."
    )
    ranked = list(search.search_claims(Claim.objects.published(), "Verisign"))
    assert ranked.index(strong) < ranked.index(weak)


def test_hits_are_highlighted_and_escaped(make_claim):
    make_claim(summary="<b>Signed</b> & sealed: CDT on the delegates.")
    hits = search.claim_hits(Claim.objects.published(), "signed")
    summaries = [str(summary) for _claim, summary, _quote in hits]
    marked = next(s for s in summaries if "sealed" in s)
    assert "&lt;b&gt;<mark>Signed</mark>&lt;/b&gt; &amp; sealed" in marked


def test_junk_and_empty_queries_find_nothing_without_error():
    for junk in ["", "   ", "!!!", "&|!()", "'"]:
        assert not search.search_claims(Claim.objects.published(), junk).exists()
        assert search.passage_hits(Source.objects.all(), junk) == []


def test_passage_hits_link_to_the_passage_with_a_text_fragment():
    hits = search.passage_hits(Source.objects.all(), "sanctions")
    assert hits
    sources = {hit.source.slug for hit in hits}
    assert "what-really-happened-in-dubai" in sources
    for hit in hits:
        assert hit.url.startswith(hit.source.get_absolute_url() + "#:~:text=")
        assert "<mark>" in hit.snippet


def test_search_page_groups_claims_and_passages(client):
    response = client.get("/search/", {"q": "signing"})
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#search-q")["value"] == "signing"
    assert soup.select("article.search-hit")
    assert soup.select("article.passage-hit")
    marked = {m.get_text().lower() for m in soup.select("article.search-hit mark")}
    assert marked and all(word.startswith("sign") for word in marked)
    for link in soup.select("article.search-hit .claim-meta a"):
        assert "#claim-" in link["href"]


def test_search_page_handles_junk_and_overlong_queries(client):
    """Junk holds no word; an over-long query is refused by the request limits, naming q."""
    assert "holds no word" in client.get("/search/", {"q": "!!!"}).content.decode()
    assert client.get("/search/").status_code == 200
    response = client.get("/search/", {"q": "x" * 301})
    assert response.status_code == 400
    assert "q" in BeautifulSoup(response.content, "html.parser").select_one(".problems dt").text


def test_claim_list_q_uses_the_same_search(client):
    soup = BeautifulSoup(client.get("/claims/", {"q": "signing"}).content, "html.parser")
    shown = [int(a["id"].removeprefix("row-")) for a in soup.select(".results article.claim")]
    expected = list(
        search.search_claims(Claim.objects.published(), "signing").values_list("pk", flat=True)
    )
    assert shown == expected[: ClaimListView.paginate_by]


def test_claim_page_embeds_schema_org_claim(client):
    claim = Claim.objects.get(quote__startswith="The amendment passed by a vote of")
    soup = BeautifulSoup(client.get(claim.get_absolute_url()).content, "html.parser")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Claim"
    assert data["text"] == claim.quote
    assert data["appearance"]["@type"] == "CreativeWork"
    assert data["appearance"]["author"]["name"] == "Milton L Mueller"
    assert data["author"]["name"] == "Milton L Mueller"


def test_json_ld_cannot_close_its_script_element(client, make_claim):
    claim = make_claim(summary="CDT reports </script><script>alert(1)</script>.")
    body = client.get(claim.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in body


def test_search_shows_the_best_claims_and_links_to_them_all(client, grow_corpus):
    from wcit.views import SEARCH_LIMIT

    grow_corpus(SEARCH_LIMIT * 2)
    soup = BeautifulSoup(client.get("/search/", {"q": "internet"}).content, "html.parser")
    assert len(soup.select("#claim-hits ~ article.search-hit")) == SEARCH_LIMIT
    assert f"the best {SEARCH_LIMIT}" in soup.select_one("#claim-hits").get_text()
    assert soup.select_one('a[href="/claims/?q=internet"]')


# Both backends find the same ------------------------------------------------------

PARITY = json.loads((Path(__file__).parent / "search_parity.json").read_text())


@pytest.mark.parametrize("query", list(PARITY))
def test_both_databases_find_the_same_claims_and_sources(query):
    """What PostgreSQL finds for each query (recorded by tests/record_search_parity.py on the
    shipped fixtures), found again here, on SQLite and on PostgreSQL: words whose stem is not
    a prefix of them ("treaty"), plurals, phrases, quoted phrases with stop words, or, -word,
    hyphenated words, numbers, words of summaries only."""
    expected = PARITY[query]
    claims = search.search_claims(Claim.objects.published(), query)
    assert sorted(claims.values_list("pk", flat=True)) == expected["claims"]
    passages = search.passage_hits(Source.objects.all(), query, limit=1000)
    assert sorted(hit.source.slug for hit in passages) == expected["sources"]


def test_the_parity_queries_cover_what_the_fallback_used_to_miss():
    """The claims the word-start fallback missed are in the list, with what they find."""
    assert len(PARITY["treaty"]["claims"]) > 30
    assert PARITY["policy"]["claims"] and PARITY['"heavy heart"']["claims"]
    assert PARITY["-internet"]["claims"] and not PARITY["don't"]["claims"]


def test_pages_are_found_by_their_text_with_the_same_stemming():
    """Article 5B's description says "spam", its title does not; the dispute about
    sanctioned countries never says "sanctions"; a page found by name comes first."""
    assert ("Clause", Clause.objects.get(code="5b")) in search.page_hits("spam")
    disputes = [page.slug for kind, page in search.page_hits("sanctions") if kind == "Dispute"]
    assert "are-service-denials-the-us-governments-doing-or-the-providers" in disputes
    assert search.page_hits("Sweden")[0] == ("Country", Country.objects.get(code="SE"))
    assert search.page_hits("se")[0] == ("Country", Country.objects.get(code="SE"))
    hits = search.page_hits("security")
    assert hits.index(("Clause", Clause.objects.get(code="5a"))) == 0  # "Security" in its title
    assert search.page_hits("the") == []
