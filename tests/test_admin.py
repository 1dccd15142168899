import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.urls import reverse

from wcit.models import Claim, Source

pytestmark = pytest.mark.django_db


def staff_client(client, name, group):
    user = User.objects.create_user(name, password="curate-carefully-12", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def curator_client(client):
    return staff_client(client, "cora", "curator")


@pytest.fixture
def reviewer_client(client):
    return staff_client(client, "rex", "reviewer")


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
    "model", ["country", "speaker", "source", "clause", "claim", "claimrelation", "statement"]
)
def test_every_changelist_renders_with_search(admin_client, model):
    response = admin_client.get(reverse(f"admin:wcit_{model}_changelist"), {"q": "sw"})
    assert response.status_code == 200


def test_a_statement_whose_quote_is_not_in_its_source_is_refused_by_name(admin_client):
    from wcit.models import Statement

    statement = Statement.objects.get()
    url = reverse("admin:wcit_statement_change", args=[statement.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(source=statement.source_id, speaker=statement.speaker_id)
    data["quote"] = "Mr. Chairman, as Head of the U.K. Delegation"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        "us-head-of-delegation-statement" in response.context["adminform"].form.errors["quote"][0]
    )
    statement.refresh_from_db()
    assert statement.quote.startswith("Mr. Chairman, as Head of the U.S. Delegation")


def test_country_admin_finds_countries_by_iso_name(admin_client):
    response = admin_client.get(reverse("admin:wcit_country_changelist"), {"q": "swed"})
    assert "Sweden" in response.content.decode()


def test_reviewer_publishes_with_the_action_and_history_records_who_and_when(reviewer_client):
    claim = Claim.objects.first()
    Claim.objects.filter(pk=claim.pk).update(status="in_review")
    before = claim.history.count()
    response = reviewer_client.post(
        reverse("admin:wcit_claim_changelist"),
        {"action": "publish", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "published"
    assert claim.published_by == reviewer_client.user
    assert claim.published_at is not None
    latest = claim.history.latest()
    assert latest.status == "published"
    assert latest.history_user == reviewer_client.user
    assert claim.history.count() > before


def test_curator_cannot_publish_with_the_action(curator_client):
    claim = Claim.objects.first()
    Claim.objects.filter(pk=claim.pk).update(status="in_review")
    response = curator_client.post(
        reverse("admin:wcit_claim_changelist"),
        {"action": "publish", "_selected_action": [claim.pk]},
    )
    # The action is not offered to curators: posting it anyway changes nothing.
    claim.refresh_from_db()
    assert claim.status == "in_review"
    assert claim.published_by is None
    page = curator_client.get(reverse("admin:wcit_claim_changelist"))
    actions = BeautifulSoup(page.content, "html.parser").select('select[name="action"] option')
    assert "publish" not in [option["value"] for option in actions]
    assert "submit_for_review" in [option["value"] for option in actions]
    assert response.status_code in (200, 302)


def test_curator_submits_for_review_with_the_action(curator_client):
    claim = Claim.objects.first()
    Claim.objects.filter(pk=claim.pk).update(status="draft")
    curator_client.post(
        reverse("admin:wcit_claim_changelist"),
        {"action": "submit_for_review", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_curator_cannot_publish_through_the_form(curator_client):
    """Server-side: a hand-made POST with status=published is refused, not just hidden."""
    response = curator_client.post(reverse("admin:wcit_claim_add"), claim_form(status="published"))
    assert response.status_code == 200
    assert not Claim.objects.filter(summary=claim_form()["summary"]).exists()
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one(".field-status .errorlist")
    options = [o["value"] for o in soup.select('select[name="status"] option')]
    assert options == ["draft", "in_review"]


def test_curator_submits_for_review_through_the_form(curator_client):
    response = curator_client.post(reverse("admin:wcit_claim_add"), claim_form(status="in_review"))
    assert response.status_code == 302
    claim = Claim.objects.get(summary=claim_form()["summary"])
    assert claim.status == "in_review"
    assert claim.published_at is None


def test_curator_cannot_unpublish(curator_client):
    claim = Claim.objects.published().first()
    curator_client.post(
        reverse("admin:wcit_claim_changelist"),
        {"action": "unpublish", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.status == "published"


def test_reviewer_publishes_through_the_form(reviewer_client):
    response = reviewer_client.post(reverse("admin:wcit_claim_add"), claim_form(status="published"))
    assert response.status_code == 302
    claim = Claim.objects.get(summary=claim_form()["summary"])
    assert claim.status == "published"
    assert claim.published_by == reviewer_client.user


def test_admin_index_counts_claims_in_each_state(admin_client, make_claim):
    make_claim(status="draft")
    make_claim(status="in_review", quote="leaving many delegates frustrated")
    response = admin_client.get(reverse("admin:index"))
    soup = BeautifulSoup(response.content, "html.parser")
    states = {
        a.get_text(" ", strip=True).split(" ", 1)[1]: int(a.select_one(".state-count").text)
        for a in soup.select(".claim-states a")
        if a.select_one(".state-count")
    }
    assert states == {
        "draft": Claim.objects.filter(status="draft").count(),
        "in review": Claim.objects.filter(status="in_review").count(),
        "published": Claim.objects.published().count(),
    }
    assert states["draft"] >= 1 and states["in review"] >= 1


def test_claim_form_polish(admin_client):
    claim = Claim.objects.first()
    response = admin_client.get(reverse("admin:wcit_claim_change", args=[claim.pk]))
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one('textarea[name="summary"]') is not None
    headings = [h.get_text(strip=True) for h in soup.select(".inline-group h2")]
    assert "Relations to other claims" in headings


# Issue 21, point 8 -------------------------------------------------------------


def test_reviewers_hold_every_permission_curators_hold():
    curator = set(Group.objects.get(name="curator").permissions.values_list("codename", flat=True))
    reviewer = set(
        Group.objects.get(name="reviewer").permissions.values_list("codename", flat=True)
    )
    assert curator <= reviewer
    assert "publish_claim" in reviewer - curator


def test_reviewer_opens_and_saves_a_dispute(reviewer_client):
    from wcit.models import Dispute

    from .test_curation import form_data

    dispute = Dispute.objects.first()
    url = reverse("admin:wcit_dispute_change", args=[dispute.pk])
    page = reviewer_client.get(url)
    assert page.status_code == 200
    data = form_data(page.content, "dispute_form")
    data["summary_en"] = "A reviewer's summary."
    assert reviewer_client.post(url, data).status_code == 302
    dispute.refresh_from_db()
    assert dispute.summary == "A reviewer's summary."
    assert reviewer_client.get(reverse("admin:wcit_dispute_add")).status_code == 200


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"]
)
def test_admin_login_with_an_unsafe_next_goes_to_the_admin_index(client, unsafe):
    User.objects.create_user("lena", password="curate-carefully-12", is_staff=True)
    response = client.post(
        f"{reverse('admin:login')}?next={unsafe}",
        {"username": "lena", "password": "curate-carefully-12", "next": unsafe},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_admin_login_with_a_safe_next_goes_there(client):
    User.objects.create_user("lena", password="curate-carefully-12", is_staff=True)
    target = reverse("admin:wcit_claim_changelist")
    response = client.post(
        reverse("admin:login"),
        {"username": "lena", "password": "curate-carefully-12", "next": target},
    )
    assert response["Location"] == target


@pytest.fixture
def admin_client_(client):
    user = User.objects.create_superuser("ada", password="curate-carefully-12")
    client.force_login(user)
    return client


def test_a_clause_is_edited_in_every_language(admin_client_):
    """The admin shows each language's field of a curated label (django-modeltranslation) and
    saves a translation beside the English."""
    from wcit.models import Clause

    clause = Clause.objects.order_by("position").first()
    url = reverse("admin:wcit_clause_change", args=[clause.pk])
    page = BeautifulSoup(admin_client_.get(url).content, "html.parser")
    form = page.find("form", id="clause_form")
    assert form.find(attrs={"name": "title_fr"}) is not None
    assert form.find(attrs={"name": "description_zh_hans"}) is not None
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "checkbox"):
            continue
        if field.name == "textarea":
            data[name] = field.text.lstrip("\n")
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        else:
            data[name] = field.get("value", "")
    data["title_fr"] = "Article 5A : sécurité des réseaux"
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    clause.refresh_from_db()
    assert clause.title_fr == "Article 5A : sécurité des réseaux"
    assert clause.title_en == data["title_en"] != ""
