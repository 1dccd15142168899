"""The public Atom feed of newly published and changed claims, and what the public never sees."""

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from wcit.models import Claim, KeyFigure

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def reviewer():
    user = User.objects.create_user("rex", password="review-carefully-12", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    client = Client()
    client.force_login(user)
    return client


def entries(client):
    response = client.get(reverse("claim-feed"))
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
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


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


def test_a_published_claim_changed_later_moves_to_the_top(client, make_claim):
    old = make_claim(summary="Published first.")
    make_claim(summary="Published second.", quote="leaving many delegates frustrated")
    assert entries(client)[0]["title"] == "Published second."
    old.summary = "Published first, corrected."
    old.save()
    assert entries(client)[0]["title"] == "Published first, corrected."


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
    ]
    for url in urls:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert marker not in content.decode(), url
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert client.get(f"/api/claims/{claim.pk}/").status_code == 404


def test_claims_as_loaded_from_the_fixtures_are_not_news(client, admin_client):
    """Loading the fixtures writes history records (m2m); they are baselines, not changes."""
    assert Claim.history.filter(id__in=Claim.objects.published().values("pk")).exists()
    assert entries(client) == []
    page = admin_client.get(reverse("admin-changes"))
    assert "No change has been recorded yet." in page.content.decode()
