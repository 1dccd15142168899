"""Every admin form is locked whole (issue 21, point 1): a form opened before someone else
saved its record, or one of its rows, refuses to save over them, shows what changed and keeps
what was typed. Saving again after reading the differences keeps both edits."""

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from wcit.curation import CuratedAdmin, LockedInline
from wcit.models import Clause, ClauseText, Country, KeyFigure, Source, Statement

from .test_curation import conflict_rows, form_data, open_change_form

pytestmark = pytest.mark.django_db


def administrator(name):
    """A superuser: every model may be changed, and nothing waits for review."""
    user = User.objects.create_superuser(name, password="administer-carefully-12")
    client = Client()
    client.force_login(user)
    return client


def save(client, obj, model, data):
    return client.post(reverse(f"admin:wcit_{model}_change", args=[obj.pk]), data)


# (get the record, admin model name, the field one changes, the field the other changes)
RECORDS = {
    "source": (lambda: Source.objects.get(slug="wsws-us-walks-out-of-wcit"), "notes", "title"),
    # Curated labels are kept per language (modeltranslation): the form edits the English.
    "clause": (lambda: Clause.objects.get(code="5a"), "description_en", "title_en"),
    "country": (lambda: Country.objects.get(code="SE"), "notes", None),
    "keyfigure": (lambda: KeyFigure.objects.order_by("position").first(), "label_en", None),
    "statement": (lambda: Statement.objects.get(), "notes", "title"),
}


@pytest.mark.parametrize("model", RECORDS)
def test_a_stale_form_is_refused_and_loses_nothing(model):
    """Ada and Bob open the same record; Ada saves; Bob's save is refused with Ada's change
    shown and his typing kept; his second save keeps Ada's change and his own."""
    get, field, other = RECORDS[model]
    obj = get()
    ada, bob = administrator("ada"), administrator("bob")
    _, ada_data = open_change_form(ada, obj, model)
    _, bob_data = open_change_form(bob, obj, model)

    ada_data[field] = "Ada's words."
    assert save(ada, obj, model, ada_data).status_code == 302

    bob_value = "Bob's words."
    bob_field = other or field
    bob_data[bob_field] = bob_value
    response = save(bob, obj, model, bob_data)
    assert response.status_code == 200
    obj.refresh_from_db()
    assert getattr(obj, field) == "Ada's words."
    if other:
        assert getattr(obj, other) != bob_value
    soup = BeautifulSoup(response.content, "html.parser")
    conflict = soup.select_one(".lock-conflict")
    assert "ada" in conflict.h2.get_text()
    label = str(type(obj)._meta.get_field(field).verbose_name).capitalize()
    assert conflict_rows(conflict)[label][1] == "Ada's words."
    # What Bob typed is still in his form.
    kept = soup.select_one(f'[name="{bob_field}"]')
    assert bob_value in (kept.get_text() if kept.name == "textarea" else kept["value"])

    # Having read the differences, Bob saves again: his change, and Ada's where he made none.
    assert save(bob, obj, model, form_data(response.content, f"{model}_form")).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, bob_field) == bob_value
    if other:
        assert getattr(obj, field) == "Ada's words."


def test_a_clause_form_opened_before_its_text_was_saved_does_not_undo_it():
    """The lost edit of issue 21 on a clause's texts: a row saved since refuses the form."""
    clause = Clause.objects.get(code="5a")
    text = clause.texts.order_by("id").first()
    ada, bob = administrator("ada"), administrator("bob")
    _, ada_data = open_change_form(ada, clause, "clause")
    _, bob_data = open_change_form(bob, clause, "clause")
    row = next(
        k[: -len("-id")] for k, v in bob_data.items() if k.endswith("-id") and v == str(text.pk)
    )

    bob_data[f"{row}-note"] = "Bob's note on this version."
    assert save(bob, clause, "clause", bob_data).status_code == 302

    ada_data["description_en"] = "Ada's description."
    response = save(ada, clause, "clause", ada_data)
    assert response.status_code == 200
    clause.refresh_from_db()
    text.refresh_from_db()
    assert text.note == "Bob's note on this version."
    assert clause.description != "Ada's description."
    # Bob's save wrote the clause too (unchanged) and its text: the row's conflict says what.
    conflicts = BeautifulSoup(response.content, "html.parser").select(".lock-conflict")
    (conflict,) = [c for c in conflicts if str(text) in c.h2.get_text()]
    assert "bob" in conflict.h2.get_text()
    assert conflict_rows(conflict)["Note"][1] == "Bob's note on this version."

    assert (
        save(ada, clause, "clause", form_data(response.content, "clause_form")).status_code == 302
    )
    clause.refresh_from_db()
    text.refresh_from_db()
    assert clause.description == "Ada's description."
    assert text.note == "Bob's note on this version."


def test_a_source_form_saves_only_the_rows_its_curator_changed():
    """Saving a source's own fields writes no history for its untouched claim rows."""
    source = Source.objects.get(slug="wsws-us-walks-out-of-wcit")
    ada = administrator("ada")
    _, data = open_change_form(ada, source, "source")
    claims = {c.pk: c.history.count() for c in source.claims.all()}
    data["notes"] = "Ada's notes."
    assert save(ada, source, "source", data).status_code == 302
    assert {c.pk: c.history.count() for c in source.claims.all()} == claims
    assert source.history.latest().history_user.username == "ada"


def test_every_editable_model_is_locked():
    """Each ModelAdmin is a CuratedAdmin (its form locked, its history kept) and each of its
    inlines a LockedInline: no form of the admin can save over a newer version."""
    ours = {m: a for m, a in admin.site._registry.items() if m._meta.app_label == "wcit"}
    assert {m.__name__ for m in ours} >= {"Source", "Clause", "Country", "KeyFigure"}
    for model, model_admin in ours.items():
        assert isinstance(model_admin, CuratedAdmin), model.__name__
        for inline in model_admin.inlines:
            assert issubclass(inline, LockedInline), inline.__name__
    assert ClauseText in {inline.model for inline in ours[Clause].inlines}
