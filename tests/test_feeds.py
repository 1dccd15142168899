"""The Atom feeds: of any claim-list query and of each country, clause, dispute, speaker and
source page; what they list on a fresh install, corrections, errors, and what the public
never sees."""

import xml.etree.ElementTree as ET
from datetime import datetime

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wcit.curation import ensure_baseline
from wcit.models import BASELINE_REASON, Claim, KeyFigure

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DISPUTE = "what-made-the-conference-break-up"
SOURCE = "wsws-us-walks-out-of-wcit"
# A page and its feed, for each kind of page that has one.
PAGES = {
    "/countries/us/": "/countries/us/feed/",
    "/clauses/5a/": "/clauses/5a/feed/",
    f"/disputes/{DISPUTE}/": f"/disputes/{DISPUTE}/feed/",
    "/speakers/kevin-reed/": "/speakers/kevin-reed/feed/",
    f"/sources/{SOURCE}/": f"/sources/{SOURCE}/feed/",
    "/claims/?country=us&clause=5a": "/claims/feed/?country=us&clause=5a",
}
FEEDS = ["/claims/feed/", *PAGES.values()]


def reviewer():
    user = User.objects.create_user("rex", password="review-carefully-12", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    client = Client()
    client.force_login(user)
    return client


def entries(client, url=None):
    response = client.get(url or reverse("claim-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "published": entry.findtext(f"{ATOM}published"),
            # The HTML of the entry's summary, as a feed reader gets it.
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


def entry_of(client, url, claim):
    (found,) = [e for e in entries(client, url) if e["link"].endswith(f"/claims/{claim.pk}/")]
    return found


def ids(feed):
    """The claim ids of a feed's entries, in order."""
    return [int(e["link"].rstrip("/").rsplit("/", 1)[1]) for e in feed]


def when(text):
    return datetime.fromisoformat(text)


def load_date():
    """When ``load_corpus`` loaded the fixtures: the date of its baselines."""
    baselines = Claim.history.filter(history_change_reason=BASELINE_REASON)
    return baselines.order_by("history_date").first().history_date


def test_a_claim_a_reviewer_publishes_is_in_the_feed_and_a_draft_is_not(client, make_claim):
    draft = make_claim(status="draft", summary="A draft nobody may read yet.")
    waiting = make_claim(
        status="in_review", summary="Waiting for review.", quote="leaving many delegates frustrated"
    )
    Claim.history.filter(id__in=[draft.pk, waiting.pk]).delete()
    before = [e["title"] for e in entries(client)]
    assert "A draft nobody may read yet." not in before

    response = reviewer().post(
        reverse("admin:wcit_claim_changelist"),
        {"action": "publish", "_selected_action": [waiting.pk]},
    )
    assert response.status_code == 302
    feed = entries(client)
    assert feed[0]["title"] == "Waiting for review."
    assert feed[0]["link"].endswith(f"/claims/{waiting.pk}/")
    # An Atom id is an IRI, stable across updates: the claim's own URL.
    assert feed[0]["id"] == feed[0]["link"]
    assert feed[0]["id"].startswith("http://")
    assert feed[0]["updated"] and feed[0]["published"]
    assert "A draft nobody may read yet." not in [e["title"] for e in feed]


def test_home_page_links_the_feed(client):
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    alternate = soup.select_one('link[rel="alternate"][type="application/atom+xml"]')
    assert alternate["href"] == reverse("claim-feed")
    assert soup.select_one("main a.feed-link")["href"] == reverse("claim-feed")


def test_home_page_hides_a_key_figure_whose_claim_is_not_published(client):
    figure = KeyFigure.objects.select_related("claim").first()

    def labels():
        soup = BeautifulSoup(client.get("/").content, "html.parser")
        return [span.text for span in soup.select(".figures .figure-label")]

    assert figure.label in labels()
    # A save, as the admin makes: it moves the data version, so no cached page is served.
    claim = figure.claim
    claim.status = "in_review"
    claim.save()
    assert figure.label not in labels()


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_no_public_page_shows_an_unpublished_claim(client, make_claim, status):
    """Every public way in, with a claim about a country, a clause and a speaker."""
    from wcit.models import Clause, Country, Speaker

    country, clause = Country.objects.get(code="US"), Clause.objects.get(code="5a")
    speaker = Speaker.objects.first()
    marker = "Zanzibarian unpublished marker sentence"
    claim = make_claim(
        status=status, summary=marker, countries=[country], clauses=[clause], speaker=speaker
    )
    related = Claim.objects.published().first()
    claim.relations_out.create(to_claim=related, kind="supports")
    urls = [
        "/",
        "/claims/",
        f"/claims/?country=us&clause=5a&speaker={speaker.slug}",
        "/claims.csv",
        "/claims.json",
        f"/countries/{country.slug}/",
        f"/clauses/{clause.code}/",
        f"/sources/{claim.source.slug}/",
        f"/speakers/{speaker.slug}/",
        f"/claims/{related.pk}/",
        "/search/?q=Zanzibarian",
        "/api/claims/",
        f"/api/claims/{related.pk}/",
        reverse("claim-feed"),
        f"/claims/feed/?country=us&clause=5a&speaker={speaker.slug}",
        f"/countries/{country.slug}/feed/",
        f"/clauses/{clause.code}/feed/",
        f"/sources/{claim.source.slug}/feed/",
        f"/speakers/{speaker.slug}/feed/",
    ]
    for url in urls:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert marker not in content.decode(), url
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert client.get(f"/api/claims/{claim.pk}/").status_code == 404


def test_claims_as_loaded_from_the_fixtures_are_in_the_feed_but_not_changes(client, admin_client):
    """Loading the fixtures writes history records (m2m); they are baselines: the claims were
    published by the load, and nothing was changed."""
    assert Claim.history.filter(id__in=Claim.objects.published().values("pk")).exists()
    feed = entries(client)
    assert len(feed) == 50
    assert {when(e["published"]) for e in feed} == {load_date()}
    assert all(e["updated"] == e["published"] for e in feed)
    assert not any("Corrected" in e["summary"] for e in feed)
    page = admin_client.get(reverse("admin-changes"))
    assert "No change has been recorded yet." in page.content.decode()


# Every feed: valid Atom, with entries on a fresh install -------------------------------


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_atom_with_entries_on_a_fresh_install(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
    assert 0 < len(parsed.entries) <= 50
    # The elements Atom requires of each entry, read from the XML itself.
    for entry in ET.fromstring(response.content).iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        # An entry without an author of its own takes the feed's.
    assert ET.fromstring(response.content).find(f"{ATOM}author/{ATOM}name").text


def test_the_site_wide_feed_lists_the_latest_source_first_after_the_load(client):
    """On a fresh install every claim was published by the load: the tie is broken by the
    date of the claim's source, the latest first, then the latest added first."""
    latest_first = F("source__published").desc(nulls_last=True)
    latest = Claim.objects.published().order_by(latest_first).first().source
    shown = ids(entries(client))
    claims = Claim.objects.in_bulk(shown)
    assert {claims[pk].source_id for pk in shown} == {latest.pk}
    assert shown == sorted(shown, reverse=True)


def test_a_page_feed_lists_its_pages_claims(client):
    country = entries(client, "/countries/se/feed/")
    about_sweden = Claim.objects.published().filter(countries__code="SE")
    assert sorted(e["link"] for e in country) == sorted(
        f"http://testserver/claims/{pk}/" for pk in about_sweden.values_list("pk", flat=True)
    )
    # A source's feed holds its replies' claims too, as its page does.
    thread = entries(client, "/sources/what-really-happened-in-dubai-comment-6-1/feed/")
    reply = Claim.objects.published().filter(
        source__slug="what-really-happened-in-dubai-comment-6-1-1"
    )
    assert f"http://testserver/claims/{reply.first().pk}/" in [e["link"] for e in thread]


# Corrections ---------------------------------------------------------------------------


def test_a_correction_updates_its_entry_and_says_what_changed(client):
    claim = Claim.objects.published().filter(countries__code="SE").order_by("id").first()
    url = "/countries/se/feed/"
    before = entry_of(client, url, claim)
    assert before["updated"] == before["published"]
    assert "Corrected" not in before["summary"]

    claim.summary = "A summary a curator has corrected."
    claim.stance = "against" if claim.stance != "against" else "for"
    claim.save()
    after = entry_of(client, url, claim)
    assert after["title"] == "A summary a curator has corrected."
    assert after["published"] == before["published"]
    assert when(after["updated"]) > when(before["updated"])
    assert "Corrected on " in after["summary"]
    assert after["summary"].endswith(": summary, stance.</p>")

    claim.clauses.add(claim.clauses.model.objects.get(code="5b"))
    again = entry_of(client, url, claim)
    assert when(again["updated"]) > when(after["updated"])
    assert again["summary"].endswith("(2 corrections): summary, clauses, stance.</p>")


def test_a_save_that_changes_nothing_readers_see_is_no_correction(client):
    claim = Claim.objects.published().filter(countries__code="SE").order_by("id").first()
    url = "/countries/se/feed/"
    before = entry_of(client, url, claim)
    claim.save()
    after = entry_of(client, url, claim)
    assert after["updated"] == before["updated"]
    assert "Corrected" not in after["summary"]


def test_a_correction_in_the_admin_of_a_claim_without_history_says_what_changed(client):
    """The fixtures' claims about no country and no clause have no history record until a
    curator changes one: the admin writes their baseline first, as ``ensure_baseline``."""
    claim = Claim.objects.published().filter(countries=None, clauses=None).order_by("-id").first()
    assert not Claim.history.filter(id=claim.pk).exists()
    url = f"/sources/{claim.source.slug}/feed/"
    before = entry_of(client, url, claim)
    assert before["updated"] == before["published"]

    moment = timezone.now()
    ensure_baseline(claim, moment)
    claim.summary = "Corrected in the admin."
    claim._history_date = moment
    claim.save()
    after = entry_of(client, url, claim)
    # Its baseline, written now, is not its publication: it was published by the load.
    assert after["published"] == before["published"]
    assert when(after["updated"]) == moment
    assert after["summary"].endswith(": summary.</p>")


def test_a_save_outside_the_admin_of_a_claim_without_history_is_a_change_not_described(client):
    claim = Claim.objects.published().filter(countries=None, clauses=None).order_by("-id").first()
    url = f"/sources/{claim.source.slug}/feed/"
    claim.summary = "Changed by a script."
    claim.save()
    after = entry_of(client, url, claim)
    assert when(after["updated"]) > when(after["published"])
    assert "the earlier version was not recorded" in after["summary"]


def test_a_correction_changes_the_cached_feed_on_the_next_request(client):
    """The feed is served through the page cache: the next request after a correction is
    rendered anew, under the new data version."""
    url = "/countries/se/feed/"
    first = client.get(url)
    assert first["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    claim = Claim.objects.published().filter(countries__code="SE").order_by("id").first()
    claim.summary = "Corrected while the feed was cached."
    claim.save()
    after = client.get(url)
    assert after["X-Cache"] == "miss"
    assert after.content != first.content
    assert b"Corrected while the feed was cached." in after.content


def test_source_text_is_escaped_in_the_entry(client, make_claim):
    from wcit.models import Source

    source = Source.objects.create(
        slug="hostile",
        title="<img src=x onerror=alert(1)> & co",
        kind="blog",
        text="He wrote <script>alert(1)</script> in the middle.",
    )
    make_claim(source=source, quote="<script>alert(1)</script>", summary="<b>Bold</b> summary")
    (entry,) = entries(client, "/sources/hostile/feed/")
    # The title is Atom text: shown as written, never as markup.
    assert entry["title"] == "<b>Bold</b> summary"
    # The summary is Atom HTML: the source's words in it are escaped for HTML.
    assert "<script" not in entry["summary"] and "<img" not in entry["summary"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry["summary"]
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in entry["summary"]


# The query feed: the claim list's filters --------------------------------------------


def list_rows(client, query):
    """The ids of every claim the HTML list shows for ``query``, page after page."""
    ids, page = [], 1
    while True:
        response = client.get(f"/claims/?{query}&page={page}")
        assert response.status_code == 200
        rows = BeautifulSoup(response.content, "html.parser").select(".results [id^=row-]")
        ids += [int(row["id"].removeprefix("row-")) for row in rows]
        if len(rows) < 25:
            return ids
        page += 1


@pytest.mark.parametrize(
    "query",
    [
        "country=us&clause=5a",
        "speaker=kevin-reed&kind=fact",
        "q=internet&country=us",
        "stance=against&clause=resolution",
        f"position={DISPUTE}:access-amendment",
        "passage=7",
        "answered=rebutted",
        "sort=date&source=cdt-wcit-watch-day-11",
    ],
)
def test_the_query_feed_selects_the_claims_of_the_list(client, query):
    listed = list_rows(client, query)
    fed = ids(entries(client, f"/claims/feed/?{query}"))
    assert listed
    assert set(fed) <= set(listed)
    assert len(fed) == min(len(listed), 50)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("country=zz", "country"),
        ("clause=nope", "clause"),
        ("stance=maybe", "stance"),
        ("passage=abc", "passage"),
        ("position=nope:nope", "position"),
        ("sort=sideways", "sort"),
    ],
)
def test_a_bad_filter_value_is_the_lists_400_naming_it(client, query, parameter):
    feed, page = client.get(f"/claims/feed/?{query}"), client.get(f"/claims/?{query}")
    assert feed.status_code == page.status_code == 400
    soup = BeautifulSoup(feed.content, "html.parser")
    assert [code.text for code in soup.select("dl.problems dt code")] == [parameter]


@pytest.mark.parametrize(
    "url",
    [
        "/countries/zz/feed/",
        "/clauses/nope/feed/",
        "/disputes/nope/feed/",
        "/speakers/nope/feed/",
        "/sources/nope/feed/",
    ],
)
def test_an_unknown_key_is_the_sites_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = BeautifulSoup(response.content, "html.parser").body
    assert "not-found" in body["class"]


# Pages link their feeds ----------------------------------------------------------------


@pytest.mark.parametrize("page, feed", PAGES.items())
def test_a_page_links_its_feed_in_its_head_and_to_follow(client, page, feed):
    soup = BeautifulSoup(client.get(page).content, "html.parser")
    alternates = soup.select('head link[rel="alternate"][type="application/atom+xml"]')
    assert feed in [link["href"] for link in alternates]
    follow = soup.select_one("main a.feed-link")
    assert follow["href"] == feed and follow.text == "Follow"
    assert client.get(feed).status_code == 200


def test_the_claim_list_feed_link_keeps_the_filters_not_the_page(client):
    soup = BeautifulSoup(client.get("/claims/?country=us&page=2").content, "html.parser")
    assert soup.select_one("main a.feed-link")["href"] == "/claims/feed/?country=us"


# Bounded --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", FEEDS)
def test_a_feed_takes_as_many_queries_however_many_claims(
    client, settings, grow_corpus, django_assert_max_num_queries, url
):
    """Guards the N+1 of entries reading their source, speaker or history one by one."""
    settings.PAGE_CACHE = False

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    def correct_some_entries():
        """So that the entries shown have history to read, before and after."""
        for pk in ids(entries(client, url))[:5]:
            claim = Claim.objects.get(pk=pk)
            claim.summary += " (corrected)"
            claim.save()

    correct_some_entries()
    before = queries()
    grow_corpus(500)
    correct_some_entries()
    assert queries() == before
    with django_assert_max_num_queries(8):
        client.get(url)
