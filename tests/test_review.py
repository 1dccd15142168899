"""Review of changes to published content: a curator's edit waits; a reviewer accepts it or
sends it back; a reviewer's own correction publishes at once (issue 21)."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wcit.models import Claim, ClaimRelation, Dispute, Revision, Source, Speaker, Statement

from .test_curation import conflict_rows, form_data, login, open_change_form, to_draft

pytestmark = pytest.mark.django_db

NEW = "A curator's new wording, not yet reviewed."


def public_text(client, url):
    """What a reader of ``url`` reads: a page's text, or an API answer's values."""
    response = client.get(url)
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return BeautifulSoup(response.content, "html.parser").get_text(" ")


# What each kind of published record looks like in the admin and to the public.
CASES = {
    "claim summary": (
        lambda: Claim.objects.get(pk=5),
        "claim",
        "summary",
        lambda obj: [f"/claims/{obj.pk}/", f"/api/claims/{obj.pk}/"],
    ),
    "dispute question": (
        lambda: Dispute.objects.get(slug="did-the-final-text-mention-the-internet"),
        "dispute",
        # A curated label: its English field (modeltranslation's; the admin has one per language).
        "question_en",
        lambda obj: [f"/disputes/{obj.slug}/", f"/api/disputes/{obj.slug}/"],
    ),
    "speaker name": (
        lambda: Speaker.objects.get(slug="olivier"),
        "speaker",
        "name",
        lambda obj: [f"/speakers/{obj.slug}/", f"/api/speakers/{obj.slug}/"],
    ),
    # Relation 75 joins two published claims: its note is on both claims' pages.
    "relation note, in the relation's own form": (
        lambda: ClaimRelation.objects.get(pk=75),
        "claimrelation",
        "note",
        lambda obj: [f"/claims/{obj.from_claim_id}/", f"/claims/{obj.to_claim_id}/"],
    ),
    "statement title": (
        lambda: Statement.objects.get(slug="us-head-of-delegation-statement"),
        "statement",
        "title",
        lambda obj: [f"/speakers/{obj.speaker.slug}/"],
    ),
}


def login_for(model, name="cora", group="curator"):
    """A curator (or reviewer) who may change ``model``: curators and reviewers only view
    statements, this one is also trusted to edit them."""
    client = login(name, group)
    if model == "statement":
        User.objects.get(username=name).user_permissions.add(
            *Permission.objects.filter(codename__in=["view_statement", "change_statement"])
        )
    return client


def propose(curator, obj, model, field, value=NEW):
    """The curator opens the change form, changes ``field`` and saves: a revision."""
    _, data = open_change_form(curator, obj, model)
    data[field] = value
    response = curator.post(reverse(f"admin:wcit_{model}_change", args=[obj.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    revision = Revision.objects.pending().get()
    assert response["Location"] == f"{reverse('admin-review')}#revision-{revision.pk}"
    return revision


def decide(reviewer, revision, action, note=""):
    data = {"revision": revision.pk, "action": action, "note": note}
    response = reviewer.post(reverse("admin-review"), data)
    assert response.status_code == 302
    revision.refresh_from_db()
    return reviewer.get(response["Location"])


@pytest.mark.parametrize("case", CASES)
def test_a_curators_change_to_published_content_waits_for_a_reviewer(client, case):
    get, model, field, public_urls = CASES[case]
    obj = get()
    published = getattr(obj, field)
    curator, reviewer = login_for(model), login_for(model, "rex", "reviewer")

    revision = propose(curator, obj, model, field)
    obj.refresh_from_db()
    assert getattr(obj, field) == published
    for url in public_urls(obj):
        text = public_text(client, url)
        assert NEW not in text
        assert published in text

    # The review queue shows the diff: what is published, what is proposed.
    queue = BeautifulSoup(reviewer.get(reverse("admin-review")).content, "html.parser")
    entry = queue.select_one(f"#revision-{revision.pk}")
    assert "cora" in entry.get_text()
    rows = {
        tr.th.get_text(strip=True): (
            tr.select_one("td.published").get_text(strip=True),
            tr.select_one("td.proposed").get_text(strip=True),
        )
        for tr in entry.select("tbody tr")
    }
    assert rows == {str(obj._meta.get_field(field).verbose_name).capitalize(): (published, NEW)}

    page = decide(reviewer, revision, "accept")
    assert revision.status == Revision.Status.ACCEPTED
    assert revision.reviewed_by.username == "rex"
    assert "Accepted and published" in page.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == NEW
    for url in public_urls(obj):
        assert NEW in public_text(client, url)
    # The history records the change as the reviewer's, naming who proposed it.
    latest = obj.history.latest()
    assert latest.history_user.username == "rex"
    assert f"Revision #{revision.pk}, proposed by cora, accepted by rex" == (
        latest.history_change_reason
    )
    if model == "claim":
        # Accepting publishes: the claim records who published it, and when.
        assert obj.published_by.username == "rex"
        assert obj.published_at >= revision.proposed_at


@pytest.mark.parametrize("case", CASES)
def test_a_change_sent_back_leaves_the_published_version_and_keeps_the_note(client, case):
    get, model, field, public_urls = CASES[case]
    obj = get()
    published = getattr(obj, field)
    curator, reviewer = login_for(model), login_for(model, "rex", "reviewer")
    revision = propose(curator, obj, model, field)

    decide(reviewer, revision, "send_back", note="Say <who> said it: the source's words.")
    assert revision.status == Revision.Status.SENT_BACK
    assert revision.note == "Say <who> said it: the source's words."
    obj.refresh_from_db()
    assert getattr(obj, field) == published
    for url in public_urls(obj):
        assert NEW not in public_text(client, url)
    # The curator reads the note, escaped, in the queue and in the record's history.
    for url in [
        reverse("admin-review"),
        reverse(f"admin:wcit_{model}_history", args=[obj.pk]),
    ]:
        page = curator.get(url)
        assert page.status_code == 200
        soup = BeautifulSoup(page.content, "html.parser")
        assert "Say <who> said it" in soup.get_text()
        assert soup.find("who") is None
    history = BeautifulSoup(
        curator.get(reverse(f"admin:wcit_{model}_history", args=[obj.pk])).content,
        "html.parser",
    )
    row = history.select_one(".revisions-history tbody tr")
    assert "Sent back by rex" in row.get_text(" ", strip=True)


def test_a_curators_save_that_changes_nothing_proposes_nothing():
    obj = Speaker.objects.get(slug="olivier")
    client = login("cora")
    page, data = open_change_form(client, obj, "speaker")
    notice = BeautifulSoup(page.content, "html.parser").select_one(".pending-revisions")
    assert "review queue" in notice.get_text()
    response = client.post(reverse("admin:wcit_speaker_change", args=[obj.pk]), data)
    assert response.status_code == 302
    assert not Revision.objects.exists()


def test_the_change_form_shows_the_revisions_waiting_for_review():
    obj = Claim.objects.get(pk=5)
    client = login("cora")
    revision = propose(client, obj, "claim", "summary")
    page, _ = open_change_form(login("rex", "reviewer"), obj)
    notice = BeautifulSoup(page.content, "html.parser").select_one(".pending-revisions")
    assert f"Revision #{revision.pk}" in notice.get_text()
    assert NEW in notice.select_one("td.proposed").get_text()


def test_sending_back_needs_a_note():
    obj = Claim.objects.get(pk=5)
    revision = propose(login("cora"), obj, "claim", "summary")
    decide(login("rex", "reviewer"), revision, "send_back", note="  ")
    assert revision.status == Revision.Status.PENDING


def test_curators_neither_accept_nor_send_back():
    obj = Claim.objects.get(pk=5)
    curator = login("cora")
    revision = propose(curator, obj, "claim", "summary")
    response = curator.post(reverse("admin-review"), {"revision": revision.pk, "action": "accept"})
    assert response.status_code == 403
    queue = BeautifulSoup(curator.get(reverse("admin-review")).content, "html.parser")
    assert queue.select_one(f"#revision-{revision.pk}") is not None
    assert not queue.select(f"#revision-{revision.pk} button")
    obj.refresh_from_db()
    assert obj.summary != NEW


def test_a_reviewers_correction_publishes_at_once_and_is_logged(client):
    obj = Claim.objects.get(pk=5)
    reviewer = login("rex", "reviewer")
    _, data = open_change_form(reviewer, obj)
    data["summary"] = "A reviewer's correction."
    response = reviewer.post(reverse("admin:wcit_claim_change", args=[obj.pk]), data)
    assert response.status_code == 302
    assert not Revision.objects.exists()
    obj.refresh_from_db()
    assert obj.summary == "A reviewer's correction."
    assert "A reviewer's correction." in public_text(client, f"/claims/{obj.pk}/")
    latest = obj.history.latest()
    assert latest.history_user.username == "rex"
    assert latest.history_change_reason == "A reviewer's correction, published at once"
    assert LogEntry.objects.filter(object_id=str(obj.pk), user__username="rex").exists()


def test_a_curators_change_to_a_draft_applies_at_once():
    obj = Claim.objects.get(pk=5)
    to_draft(obj)
    client = login("cora")
    _, data = open_change_form(client, obj)
    data["summary"] = "A draft's new summary."
    assert client.post(reverse("admin:wcit_claim_change", args=[obj.pk]), data).status_code == 302
    obj.refresh_from_db()
    assert obj.summary == "A draft's new summary."
    assert not Revision.objects.exists()


def test_accepting_a_change_to_a_record_changed_since_is_refused():
    """A revision replays the form its curator opened: its lock refuses a stale version."""
    obj = Claim.objects.get(pk=5)
    curator, reviewer = login("cora"), login("rex", "reviewer")
    revision = propose(curator, obj, "claim", "summary")
    _, data = open_change_form(reviewer, obj)
    data["summary"] = "Rex corrected it meanwhile."
    assert reviewer.post(reverse("admin:wcit_claim_change", args=[obj.pk]), data).status_code == 302

    page = decide(reviewer, revision, "accept")
    assert revision.status == Revision.Status.PENDING
    assert "Not accepted" in page.content.decode()
    assert "changed by rex" in page.content.decode()
    obj.refresh_from_db()
    assert obj.summary == "Rex corrected it meanwhile."


def test_a_disputes_sides_are_reviewed_too(client):
    dispute = Dispute.objects.get(slug="did-the-final-text-mention-the-internet")
    position = dispute.positions.order_by("order", "key").first()
    curator, reviewer = login("cora"), login("rex", "reviewer")
    _, data = open_change_form(curator, dispute, "dispute")
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(position.pk)
    )
    data[f"{row}-label_en"] = "A side, reworded."
    url = reverse("admin:wcit_dispute_change", args=[dispute.pk])
    assert curator.post(url, data).status_code == 302
    revision = Revision.objects.pending().get()
    assert revision.changes == [
        [f"Position “{position.label}”: label [en]", position.label, "A side, reworded."]
    ]
    assert "A side, reworded." not in public_text(client, dispute.get_absolute_url())

    decide(reviewer, revision, "accept")
    position.refresh_from_db()
    assert position.label == "A side, reworded."
    assert "A side, reworded." in public_text(client, dispute.get_absolute_url())


def test_a_curator_cannot_revert_published_content():
    obj = Claim.objects.get(pk=5)
    reviewer, curator = login("rex", "reviewer"), login("cora")
    _, data = open_change_form(reviewer, obj)
    data["summary"] = "Corrected."
    reviewer.post(reverse("admin:wcit_claim_change", args=[obj.pk]), data)
    first = obj.history.order_by("history_id").first()
    url = reverse("admin:wcit_claim_simple_history", args=[obj.pk, first.history_id])
    page = curator.get(url)
    assert page.status_code == 200
    assert not BeautifulSoup(page.content, "html.parser").select('input[type="submit"]')
    assert curator.post(url, form_data(page.content, "historicalclaim_form")).status_code == 403
    obj.refresh_from_db()
    assert obj.summary == "Corrected."


def test_public_pages_and_the_api_never_read_revisions(client):
    obj = Claim.objects.get(pk=5)
    propose(login("cora"), obj, "claim", "summary")
    with CaptureQueriesContext(connection) as captured:
        for url in [f"/claims/{obj.pk}/", f"/api/claims/{obj.pk}/", "/claims/", "/"]:
            assert client.get(url).status_code == 200
    assert not [q for q in captured if Revision._meta.db_table in q["sql"]]


def test_a_stale_relation_row_is_refused_then_the_reviewed_save_keeps_it():
    """Issue 21 as reported, on the published claim 118: the relation edit survives review."""
    relation = ClaimRelation.objects.get(pk=75)
    claim = relation.from_claim
    cora, carl, rex = login("cora"), login("carl"), login("rex", "reviewer")
    _, cora_data = open_change_form(cora, claim)
    _, carl_data = open_change_form(carl, relation, "claimrelation")
    carl_data["note"] = "Carl's note."
    carl.post(reverse("admin:wcit_claimrelation_change", args=[relation.pk]), carl_data)
    # The relation joins two published claims: Carl's change is public once Rex accepts it.
    decide(rex, Revision.objects.pending().get(), "accept")
    relation.refresh_from_db()
    assert relation.note == "Carl's note."

    cora_data["summary"] = "Cora's summary."
    url = reverse("admin:wcit_claim_change", args=[claim.pk])
    response = cora.post(url, cora_data)
    assert response.status_code == 200
    assert not Revision.objects.pending().exists()
    conflict = BeautifulSoup(response.content, "html.parser").select_one(".lock-conflict")
    assert conflict_rows(conflict)["Note"][1] == "Carl's note."

    assert cora.post(url, form_data(response.content, "claim_form")).status_code == 302
    revision = Revision.objects.pending().get()
    assert revision.changes == [["Summary", claim.summary, "Cora's summary."]]
    decide(rex, revision, "accept")
    assert revision.status == Revision.Status.ACCEPTED
    claim.refresh_from_db()
    relation.refresh_from_db()
    assert claim.summary == "Cora's summary."
    assert relation.note == "Carl's note."


def test_a_source_form_cannot_change_a_published_claim_without_review():
    source = Source.objects.get(slug="wsws-us-walks-out-of-wcit")
    claim = source.claims.published().order_by("id").first()
    sam = login("sam")
    User.objects.get(username="sam").user_permissions.add(
        Permission.objects.get(codename="change_source")
    )
    _, data = open_change_form(sam, source, "source")
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(claim.pk)
    )
    data[f"{row}-summary"] = NEW
    response = sam.post(reverse("admin:wcit_source_change", args=[source.pk]), data)
    assert response.status_code == 200
    assert f"Claim #{claim.pk} is published" in response.content.decode()
    claim.refresh_from_db()
    assert claim.summary != NEW


def test_only_a_reviewer_relates_two_published_claims_in_the_relations_own_form():
    """A new relation between published claims is public at once: a curator makes it in the
    claim's form, where it waits for review; the relation's own form refuses it."""
    first, second = Claim.objects.published().exclude(relations_out__isnull=False)[:2]
    data = {"from_claim": first.pk, "to_claim": second.pk, "kind": "supports", "note": NEW}
    url = reverse("admin:wcit_claimrelation_add")
    response = login("cora").post(url, data)
    assert response.status_code == 200
    assert f"Claims #{first.pk} and #{second.pk} are published" in response.content.decode()
    assert not ClaimRelation.objects.filter(from_claim=first, to_claim=second).exists()

    assert login("rex", "reviewer").post(url, data).status_code == 302
    assert ClaimRelation.objects.get(from_claim=first, to_claim=second).note == NEW


def test_a_reviewer_who_may_not_change_a_record_cannot_accept_its_revision():
    statement = Statement.objects.get()
    revision = propose(login_for("statement"), statement, "statement", "title")
    response = login("rex", "reviewer").post(
        reverse("admin-review"), {"revision": revision.pk, "action": "accept"}
    )
    assert response.status_code == 403
    revision.refresh_from_db()
    statement.refresh_from_db()
    assert revision.status == Revision.Status.PENDING
    assert statement.title != NEW
