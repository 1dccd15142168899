import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.urls import reverse

from wcit.models import Claim, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    user = User.objects.create_user("cora", password="curate-carefully-12", is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    client.force_login(user)
    return client


def claim_form(**overrides):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    return {
        "source": source.pk,
        "quote": "leaving many delegates frustrated",
        "prefix": "",
        "suffix": "",
        "summary": "CDT reports that many delegates were left frustrated.",
        "speaker": "",
        "kind": "fact",
        "stance": "",
        "signature_status": "",
        "status": "draft",
        "countries": [],
        "clauses": [],
        "relations_out-TOTAL_FORMS": "0",
        "relations_out-INITIAL_FORMS": "0",
        "relations_out-MIN_NUM_FORMS": "0",
        "relations_out-MAX_NUM_FORMS": "1000",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        **overrides,
    }


def test_curator_adds_a_claim(curator_client):
    response = curator_client.post(reverse("admin:wcit_claim_add"), claim_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get(summary="CDT reports that many delegates were left frustrated.")
    assert claim.source.text[claim.anchor.start : claim.anchor.end] == claim.quote
    assert claim.history.count() == 1


def test_bad_quote_is_refused_beside_the_field(curator_client):
    before = Claim.objects.count()
    response = curator_client.post(
        reverse("admin:wcit_claim_add"), claim_form(quote="delegates were delighted")
    )
    assert response.status_code == 200
    assert Claim.objects.count() == before
    soup = BeautifulSoup(response.content, "html.parser")
    row = soup.select_one(".field-quote")
    errors = row.select_one(".errorlist").get_text()
    assert "cdt-wcit-watch-day-11" in errors
    assert "is not in the text" in errors
    # The curator's typing is kept in the form, not lost.
    assert row.select_one("textarea").get_text().strip() == "delegates were delighted"


def test_curator_cannot_add_a_user(curator_client):
    response = curator_client.get(reverse("admin:auth_user_add"))
    assert response.status_code == 403


def test_curator_only_views_sources(curator_client):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    url = reverse("admin:wcit_source_change", args=[source.pk])
    assert curator_client.get(url).status_code == 200
    response = curator_client.post(url, {"title": "Changed"})
    assert response.status_code == 403
    assert curator_client.get(reverse("admin:wcit_source_add")).status_code == 403
    source.refresh_from_db()
    assert source.title != "Changed"


def test_curator_cannot_delete_claims(curator_client):
    claim = Claim.objects.first()
    response = curator_client.post(
        reverse("admin:wcit_claim_delete", args=[claim.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize(
    "model", ["country", "speaker", "source", "clause", "claim", "claimrelation"]
)
def test_every_changelist_renders_with_search(admin_client, model):
    response = admin_client.get(reverse(f"admin:wcit_{model}_changelist"), {"q": "sw"})
    assert response.status_code == 200


def test_country_admin_finds_countries_by_iso_name(admin_client):
    response = admin_client.get(reverse("admin:wcit_country_changelist"), {"q": "swed"})
    assert "Sweden" in response.content.decode()


def test_publish_action_records_history(curator_client):
    claim = Claim.objects.first()
    Claim.objects.filter(pk=claim.pk).update(status="draft")
    before = claim.history.count()
    response = curator_client.post(
        reverse("admin:wcit_claim_changelist"),
        {"action": "publish", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "published"
    assert claim.history.count() == before + 1
