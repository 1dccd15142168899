"""Curation that loses nothing: concurrent saves, revert with relations, what changed, export."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wcit.models import Claim, ClaimEvent, ClaimRelation, Country, Dispute, Source, Speaker

pytestmark = pytest.mark.django_db


def login(name, group="curator"):
    user = User.objects.create_user(name, password="curate-carefully-12", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def form_data(html, form_id):
    """What a browser would post for the form ``form_id`` as rendered, unchanged."""
    form = BeautifulSoup(html, "html.parser").select_one(f"form#{form_id}")
    assert form is not None, f"no form #{form_id}"
    data = {}
    for element in form.select("input, textarea, select"):
        name = element.get("name")
        if (
            not name
            or element.get("type") in ("submit", "button", "checkbox")
            and not (element.get("type") == "checkbox" and element.has_attr("checked"))
        ):
            continue
        if element.name == "textarea":
            value = element.get_text()
            # The HTML parser keeps the newline the template puts after <textarea>.
            data[name] = value[1:] if value.startswith("\n") else value
        elif element.name == "select":
            chosen = [o.get("value", "") for o in element.select("option[selected]")]
            if element.has_attr("multiple"):
                data[name] = chosen
            elif chosen:
                data[name] = chosen[0]
        else:
            data[name] = element.get("value", "on" if element.get("type") == "checkbox" else "")
    return data


def to_draft(claim):
    """Make ``claim`` a draft, as its history records it, so that a curator's change to it
    applies at once (a change to a published claim waits for review: test_review.py)."""
    claim.status = Claim.Status.DRAFT
    claim.save()


def open_change_form(client, obj, model="claim"):
    response = client.get(reverse(f"admin:wcit_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    return response, form_data(response.content, f"{model}_form")


def claim_with_relation():
    relation = ClaimRelation.objects.select_related("from_claim").first()
    return relation.from_claim


# No lost edits ---------------------------------------------------------------


def test_second_of_two_concurrent_saves_is_refused_with_the_first_ones_changes():
    claim = Claim.objects.exclude(countries__code="SE").first()
    to_draft(claim)
    sweden = Country.objects.get(code="SE")
    first, second = login("cora"), login("carl")
    _, first_data = open_change_form(first, claim)
    _, second_data = open_change_form(second, claim)
    assert first_data["lock_version"] == second_data["lock_version"]

    first_data["summary"] = "Cora's summary."
    first_data["countries"] = [*first_data.get("countries", []), str(sweden.pk)]
    response = first.post(reverse("admin:wcit_claim_change", args=[claim.pk]), first_data)
    assert response.status_code == 302

    second_data["summary"] = "Carl's summary."
    url = reverse("admin:wcit_claim_change", args=[claim.pk])
    response = second.post(url, second_data)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.summary == "Cora's summary."
    assert sweden in claim.countries.all()

    soup = BeautifulSoup(response.content, "html.parser")
    assert "cora" in soup.select_one(".errornote, .errorlist.nonfield").parent.get_text()
    conflict = soup.select_one(".lock-conflict")
    assert "cora" in conflict.h2.get_text()
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in conflict.select("tbody tr")
    }
    assert rows["Summary"][1:] == ["Cora's summary.", "Carl's summary."]
    assert "Sweden" in rows["Countries"][1]
    assert "Sweden" not in rows["Countries"][0]
    # What Carl typed is kept in the form.
    assert soup.select_one('textarea[name="summary"]').get_text().strip() == "Carl's summary."

    # Having seen the differences, saving again is a deliberate overwrite.
    response = second.post(url, form_data(response.content, "claim_form"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.summary == "Carl's summary."


def test_a_save_without_the_version_is_refused():
    claim = Claim.objects.first()
    client = login("cora")
    _, data = open_change_form(client, claim)
    del data["lock_version"]
    data["summary"] = "Changed blind."
    response = client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.summary != "Changed blind."


def test_saving_twice_in_a_row_from_fresh_forms_is_not_a_conflict():
    claim = Claim.objects.first()
    to_draft(claim)
    client = login("cora")
    for summary in ["One.", "Two."]:
        _, data = open_change_form(client, claim)
        data["summary"] = summary
        response = client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data)
        assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.summary == "Two."


@pytest.mark.parametrize("model", ["speaker", "claimrelation", "dispute"])
def test_speaker_relation_and_dispute_forms_are_locked_too(model):
    obj = {
        "speaker": Speaker.objects.first,
        "claimrelation": ClaimRelation.objects.first,
        "dispute": Dispute.objects.first,
    }[model]()
    # Reviewers: their changes to published speakers and disputes are saved at once.
    first, second = login("rex", "reviewer"), login("rhea", "reviewer")
    _, first_data = open_change_form(first, obj, model)
    _, second_data = open_change_form(second, obj, model)
    # A dispute's summary is a curated label: its English field (one per language).
    field = {"speaker": "name", "claimrelation": "note", "dispute": "summary_en"}[model]
    first_data[field] = "First."
    second_data[field] = "Second."
    url = reverse(f"admin:wcit_{model}_change", args=[obj.pk])
    assert first.post(url, first_data).status_code == 302
    response = second.post(url, second_data)
    assert response.status_code == 200
    assert "First." in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "First."


# Edits are locked whole: the rows of a form too -----------------------------------


def conflict_rows(section):
    return {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in section.select("tbody tr")
    }


def test_a_claim_form_opened_before_a_relation_was_saved_does_not_undo_it():
    """Issue 21: A opens claim 118, B saves relation 75's note, A saves the claim's summary."""
    relation = ClaimRelation.objects.get(pk=75)
    claim = relation.from_claim
    assert claim.pk == 118
    old_note = relation.note
    to_draft(claim)
    cora, carl = login("cora"), login("carl")
    _, cora_data = open_change_form(cora, claim)

    _, carl_data = open_change_form(carl, relation, "claimrelation")
    carl_data["note"] = "Carl's note."
    url = reverse("admin:wcit_claimrelation_change", args=[relation.pk])
    assert carl.post(url, carl_data).status_code == 302

    cora_data["summary"] = "Cora's summary."
    url = reverse("admin:wcit_claim_change", args=[claim.pk])
    response = cora.post(url, cora_data)
    # Refused like a stale claim: nothing saved, what changed shown, her typing kept.
    assert response.status_code == 200
    relation.refresh_from_db()
    claim.refresh_from_db()
    assert relation.note == "Carl's note."
    assert claim.summary != "Cora's summary."
    soup = BeautifulSoup(response.content, "html.parser")
    conflict = soup.select_one(".lock-conflict")
    assert "#118 supports #265" in conflict.h2.get_text()
    assert "carl" in conflict.h2.get_text()
    assert conflict_rows(conflict)["Note"][:2] == [old_note, "Carl's note."]
    assert soup.select_one('textarea[name="summary"]').get_text().strip() == "Cora's summary."
    # The row she did not touch now shows what Carl saved.
    again = form_data(response.content, "claim_form")
    row = next(k[: -len("-id")] for k, v in again.items() if k.endswith("-id") and v == "75")
    assert again[f"{row}-note"] == "Carl's note."

    # Saving again writes her summary and leaves the relation as Carl saved it.
    assert cora.post(url, again).status_code == 302
    relation.refresh_from_db()
    claim.refresh_from_db()
    assert claim.summary == "Cora's summary."
    assert relation.note == "Carl's note."
    assert relation.history.latest().history_user.username == "carl"


def test_a_form_writes_only_the_rows_its_curator_changed():
    claim = ClaimRelation.objects.get(pk=75).from_claim
    to_draft(claim)
    client = login("cora")
    _, data = open_change_form(client, claim)
    before = {r.pk: r.history.count() for r in claim.relations_out.all()}
    row = next(k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == "75")
    data[f"{row}-note"] = "Only this one."
    assert client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data).status_code == 302
    after = {r.pk: r.history.count() for r in claim.relations_out.all()}
    assert {pk for pk in after if after[pk] != before[pk]} == {75}
    assert ClaimRelation.objects.get(pk=75).note == "Only this one."


def test_a_source_form_opened_before_a_claim_was_saved_does_not_undo_it():
    """Issue 21: a source form opened earlier, saved over a curator's claim edit."""
    from django.contrib.auth.models import Permission

    source = Source.objects.get(slug="wsws-us-walks-out-of-wcit")
    claim = source.claims.order_by("id").first()
    to_draft(claim)
    # Curators only view sources: this one is also trusted to edit them.
    sam = login("sam")
    User.objects.get(username="sam").user_permissions.add(
        Permission.objects.get(codename="change_source")
    )
    carl = login("carl")
    _, sam_data = open_change_form(sam, source, "source")

    _, carl_data = open_change_form(carl, claim)
    carl_data["summary"] = "Carl's summary."
    assert (
        carl.post(reverse("admin:wcit_claim_change", args=[claim.pk]), carl_data).status_code == 302
    )

    sam_data["notes"] = "Sam's notes."
    url = reverse("admin:wcit_source_change", args=[source.pk])
    response = sam.post(url, sam_data)
    assert response.status_code == 200
    claim.refresh_from_db()
    source.refresh_from_db()
    assert claim.summary == "Carl's summary."
    assert source.notes != "Sam's notes."
    soup = BeautifulSoup(response.content, "html.parser")
    conflict = soup.select_one(".lock-conflict")
    assert f"#{claim.pk}" in conflict.h2.get_text() and "carl" in conflict.h2.get_text()
    assert conflict_rows(conflict)["Summary"][1] == "Carl's summary."
    assert soup.select_one('textarea[name="notes"]').get_text().strip() == "Sam's notes."

    assert sam.post(url, form_data(response.content, "source_form")).status_code == 302
    claim.refresh_from_db()
    source.refresh_from_db()
    assert source.notes == "Sam's notes."
    assert claim.summary == "Carl's summary."


def test_a_row_both_changed_keeps_yours_on_the_second_save():
    relation = ClaimRelation.objects.get(pk=75)
    claim = relation.from_claim
    to_draft(claim)
    cora, carl = login("cora"), login("carl")
    _, cora_data = open_change_form(cora, claim)
    _, carl_data = open_change_form(carl, relation, "claimrelation")
    carl_data["note"] = "Carl's note."
    carl.post(reverse("admin:wcit_claimrelation_change", args=[relation.pk]), carl_data)

    row = next(k[: -len("-id")] for k, v in cora_data.items() if k.endswith("-id") and v == "75")
    cora_data[f"{row}-note"] = "Cora's note."
    url = reverse("admin:wcit_claim_change", args=[claim.pk])
    response = cora.post(url, cora_data)
    assert response.status_code == 200
    rows = conflict_rows(
        BeautifulSoup(response.content, "html.parser").select_one(".lock-conflict")
    )
    assert rows["Note"][1:] == ["Carl's note.", "Cora's note."]
    assert cora.post(url, form_data(response.content, "claim_form")).status_code == 302
    relation.refresh_from_db()
    assert relation.note == "Cora's note."


# Revert restores everything -----------------------------------------------------


def test_revert_restores_countries_clauses_and_relations(admin_client):
    claim = claim_with_relation()
    original_countries = set(claim.countries.values_list("pk", flat=True))
    original_clauses = set(claim.clauses.values_list("pk", flat=True))
    original_relations = set(claim.relations_out.values_list("pk", "to_claim", "kind"))
    original_labels = sorted(str(relation) for relation in claim.relations_out.all())
    assert original_relations
    other = Country.objects.exclude(pk__in=original_countries).first()
    # Only an administrator may delete a relation (curators may not delete).
    client = admin_client

    _, data = open_change_form(client, claim)
    data["countries"] = [str(other.pk)]
    data["clauses"] = []
    data["summary"] = "Edited."
    data["relations_out-0-DELETE"] = "on"
    response = client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim.refresh_from_db()
    assert set(claim.countries.values_list("pk", flat=True)) == {other.pk}
    assert claim.relations_out.count() == len(original_relations) - 1

    baseline = claim.history.order_by("history_date", "history_id").first()
    revert_url = reverse("admin:wcit_claim_simple_history", args=[claim.pk, baseline.history_id])
    page = client.get(revert_url)
    assert page.status_code == 200
    listed = BeautifulSoup(page.content, "html.parser").select(".revert-related li")
    assert sorted(li.get_text() for li in listed) == original_labels
    data = form_data(page.content, "historicalclaim_form")
    assert set(map(int, data.get("countries", []))) == original_countries
    response = client.post(revert_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    claim.refresh_from_db()
    assert claim.summary != "Edited."
    assert set(claim.countries.values_list("pk", flat=True)) == original_countries
    assert set(claim.clauses.values_list("pk", flat=True)) == original_clauses
    assert set(claim.relations_out.values_list("pk", "to_claim", "kind")) == original_relations


def test_revert_removes_a_relation_added_after_the_version():
    claim = Claim.objects.filter(relations_out__isnull=True).first()
    target = Claim.objects.exclude(pk=claim.pk).first()
    # A reviewer: the claim is published, and only reviewers revert published content.
    client = login("rex", "reviewer")
    _, data = open_change_form(client, claim)
    data.update(
        {
            "relations_out-TOTAL_FORMS": "1",
            "relations_out-0-kind": "supports",
            "relations_out-0-to_claim": str(target.pk),
            "relations_out-0-note": "",
            "relations_out-0-from_claim": str(claim.pk),
        }
    )
    before = target.answer_count
    response = client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert claim.relations_out.count() == 1
    target.refresh_from_db()
    assert target.answer_count == before + 1

    baseline = claim.history.order_by("history_date", "history_id").first()
    revert_url = reverse("admin:wcit_claim_simple_history", args=[claim.pk, baseline.history_id])
    data = form_data(client.get(revert_url).content, "historicalclaim_form")
    response = client.post(revert_url, data)
    assert response.status_code == 302
    assert claim.relations_out.count() == 0
    # The relation the revert removed no longer counts among the target's answers.
    target.refresh_from_db()
    assert target.answer_count == before


def test_curator_cannot_publish_by_reverting_to_a_published_version():
    claim = Claim.objects.published().first()
    reviewer, curator = login("rex", "reviewer"), login("cora")
    _, data = open_change_form(reviewer, claim)
    data["status"] = "draft"
    response = reviewer.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data)
    assert response.status_code == 302
    published = claim.history.filter(status="published").order_by("history_id").first()
    revert_url = reverse("admin:wcit_claim_simple_history", args=[claim.pk, published.history_id])
    page = curator.get(revert_url)
    data = form_data(page.content, "historicalclaim_form")
    data["status"] = "published"
    response = curator.post(revert_url, data)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_claim_events_have_history_and_a_revert_restores_them(admin_client):
    event = ClaimEvent.objects.order_by("id").first()
    claim = event.claim
    original = set(claim.events.values_list("pk", "happened", "what"))
    _, data = open_change_form(admin_client, claim)
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(event.pk)
    )
    data[f"{row}-what_en"] = "Something else happened"
    url = reverse("admin:wcit_claim_change", args=[claim.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.what == "Something else happened"
    # The edit is in the event's history, by who made it.
    assert event.history.latest().what == "Something else happened"
    assert event.history.latest().history_user.username == "admin"

    _, data = open_change_form(admin_client, claim)
    data[f"{row}-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not ClaimEvent.objects.filter(pk=event.pk).exists()

    baseline = claim.history.order_by("history_date", "history_id").first()
    revert_url = reverse("admin:wcit_claim_simple_history", args=[claim.pk, baseline.history_id])
    page = admin_client.get(revert_url)
    sections = {
        section.h2.get_text(strip=True): [li.get_text() for li in section.select("li")]
        for section in BeautifulSoup(page.content, "html.parser").select(".revert-related")
    }
    listed = sections["Claim events in this version"]
    assert all(any(what in item for item in listed) for _pk, _day, what in original)
    assert not any("Something else happened" in item for item in listed)
    response = admin_client.post(revert_url, form_data(page.content, "historicalclaim_form"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(claim.events.values_list("pk", "happened", "what")) == original


# What changed ---------------------------------------------------------------------


def test_what_changed_lists_an_edit_with_its_diff_and_who():
    claim = Claim.objects.first()
    to_draft(claim)
    client = login("cora")
    _, data = open_change_form(client, claim)
    old_summary = data["summary"]
    data["summary"] = "A summary cora wrote."
    client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data)

    response = client.get(reverse("admin-changes"))
    assert response.status_code == 200
    entry = BeautifulSoup(response.content, "html.parser").select_one(".change-entry")
    assert "cora" in entry.get_text()
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in entry.select("tbody tr")
    }
    assert rows == {"Summary": [old_summary, "A summary cora wrote."]}


def test_what_changed_is_for_staff_only(client):
    response = client.get(reverse("admin-changes"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# Getting curation back into the repo ------------------------------------------------


def test_an_admin_edit_appears_in_the_exported_fixtures(tmp_path):
    claim = Claim.objects.first()
    # A reviewer: a change to a published claim is exported once it is published.
    client = login("rex", "reviewer")
    _, data = open_change_form(client, claim)
    data["summary"] = "A summary edited in the admin."
    assert client.post(reverse("admin:wcit_claim_change", args=[claim.pk]), data).status_code == 302

    call_command("export_fixtures", output=str(tmp_path), verbosity=0)
    exported = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))
    record = next(r for r in exported if r["pk"] == claim.pk)
    assert record["fields"]["summary"] == "A summary edited in the admin."
    assert "published_by" not in record["fields"]


def test_what_changed_makes_the_same_number_of_queries_for_more_changes(admin_client):
    """Guards the N+1 of diffing each change against the version before it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    def edit(claims):
        for claim in claims:
            claim.summary += " (edited)"
            claim._history_date = timezone.now()
            claim.save()
            claim.countries.add(Country.objects.get(code="SE"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse("admin-changes"))
        assert response.status_code == 200
        return len(captured), len(
            BeautifulSoup(response.content, "html.parser").select(".change-entry")
        )

    edit(Claim.objects.exclude(countries__code="SE")[:3])
    few, listed_few = queries()
    edit(Claim.objects.exclude(countries__code="SE")[:12])
    many, listed_many = queries()
    assert listed_many > listed_few >= 3
    assert many == few


def test_revert_restores_a_disputes_positions_and_their_claims(admin_client):
    dispute = Dispute.objects.get(slug="did-the-final-text-mention-the-internet")
    original = {
        position.key: (position.label, set(position.claims.values_list("pk", flat=True)))
        for position in dispute.positions.all()
    }
    _, data = open_change_form(admin_client, dispute, "dispute")
    data["summary_en"] = "Edited."
    data["positions-0-label_en"] = "Relabelled."
    data["positions-0-claims"] = data["positions-0-claims"][:1]
    url = reverse("admin:wcit_dispute_change", args=[dispute.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    first = dispute.positions.first()
    assert first.label == "Relabelled." and first.claims.count() == 1

    baseline = dispute.history.order_by("history_date", "history_id").first()
    revert_url = reverse(
        "admin:wcit_dispute_simple_history", args=[dispute.pk, baseline.history_id]
    )
    page = admin_client.get(revert_url)
    assert page.status_code == 200
    response = admin_client.post(revert_url, form_data(page.content, "historicaldispute_form"))
    assert response.status_code == 302, response.content.decode()[:3000]

    dispute.refresh_from_db()
    assert dispute.summary != "Edited."
    restored = {
        position.key: (position.label, set(position.claims.values_list("pk", flat=True)))
        for position in dispute.positions.all()
    }
    assert restored == original
