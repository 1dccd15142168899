from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wcit.models import Claim, ClaimRelation, Clause, Country, Source, Speaker


def test_claim_with_quote_not_in_source_is_refused_naming_both(make_claim):
    with pytest.raises(ValidationError) as info:
        make_claim(quote="The conference reached consensus")
    (message,) = info.value.message_dict["quote"]
    assert "This claim" in message
    assert "cdt-wcit-watch-day-11" in message
    assert "is not in the text" in message


def test_existing_claim_error_names_its_number(make_claim):
    claim = make_claim()
    claim.quote = "no such words anywhere"
    with pytest.raises(ValidationError, match=f"Claim #{claim.pk} in source"):
        claim.full_clean()


def test_ambiguous_quote_is_refused_until_disambiguated(make_claim):
    with pytest.raises(ValidationError, match="add a prefix or suffix"):
        make_claim(quote="spirit of compromise")
    claim = make_claim(quote="spirit of compromise", suffix="” and reminded")
    assert claim.anchor.end - claim.anchor.start == len("spirit of compromise")


def test_anchor_offsets_point_at_the_quote(make_claim):
    claim = make_claim()
    assert claim.source.text[claim.anchor.start : claim.anchor.end] == claim.quote


def test_source_edit_that_breaks_a_claim_is_refused(db):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    claim = source.claims.first()
    source.text = source.text.replace(claim.quote, "[removed]")
    with pytest.raises(ValidationError) as info:
        source.full_clean()
    messages = " ".join(info.value.message_dict["text"])
    assert f"Claim #{claim.pk}" in messages


def test_source_edit_elsewhere_is_accepted(db):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    source.text += "\n\nAn added closing line."
    source.full_clean()


def test_comment_without_parent_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(slug="orphan", title="Orphan", kind="comment", text="Hi.")


def test_claim_cannot_relate_to_itself(make_claim):
    claim = make_claim()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelation.objects.create(from_claim=claim, to_claim=claim, kind="supports")


def test_one_relation_per_pair(make_claim):
    first, second = make_claim(), make_claim(quote="leaving many delegates frustrated")
    ClaimRelation.objects.create(from_claim=first, to_claim=second, kind="supports")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelation.objects.create(from_claim=first, to_claim=second, kind="rebuts")


def test_claim_kind_is_checked_by_the_database(make_claim):
    claim = make_claim()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(kind="banana")


def test_natural_keys_round_trip(db):
    sweden = Country.objects.get_by_natural_key("se")
    assert sweden.natural_key() == ("se",)
    assert sweden.name == "Sweden"
    assert Clause.objects.get_by_natural_key("5b").natural_key() == ("5b",)
    assert Speaker.objects.get_by_natural_key("olivier").country == Country.objects.get(code="GB")
    source = Source.objects.get_by_natural_key("cdt-wcit-watch-day-11")
    assert source.natural_key() == ("cdt-wcit-watch-day-11",)


def test_str_reads_well(make_claim):
    claim = make_claim()
    assert str(claim) == f"#{claim.pk}: {claim.summary}"
    assert str(Country.objects.get(code="CZ")) == "Czechia"
    assert str(Clause.objects.get(code="5a")).startswith("Article 5A")


@pytest.mark.parametrize(
    "code, short",
    [
        ("5a", "5A"),
        ("article-1", "Art. 1"),
        ("resolution", "Res."),
        ("preamble", "Pre."),
        ("preamble-human-rights", "Pre. HR"),
        ("article-12-bis", "Art. 12 BIS"),
    ],
)
def test_a_clauses_short_title_comes_from_its_code(code, short):
    assert Clause(code=code, title="A long title").short_title == short


def test_queryset_methods_chain(make_claim):
    sweden = Country.objects.get(code="SE")
    draft = make_claim(status=Claim.Status.DRAFT, countries=[sweden])
    published = make_claim(quote="leaving many delegates frustrated", countries=[sweden])
    about_sweden = Claim.objects.published().for_country(sweden)
    assert published in about_sweden
    assert draft not in about_sweden
    assert all(sweden in claim.countries.all() for claim in about_sweden)


def test_an_event_date_must_be_stated_in_the_claims_source(db):
    from django.core.exceptions import ValidationError

    from wcit.models import ClaimEvent

    claim = Claim.objects.get(pk=1)
    event = ClaimEvent(
        claim=claim, happened="2012-12-15", what="invented", evidence="Saturday, December 15"
    )
    with pytest.raises(ValidationError, match="is not in source “wsws-us-walks-out-of-wcit”"):
        event.full_clean()


def test_every_shipped_event_date_is_in_its_source(db):
    from wcit.models import ClaimEvent

    events = ClaimEvent.objects.select_related("claim__source")
    assert events.exists()
    for event in events:
        assert event.evidence in event.claim.source.text, event.pk


def test_sources_that_date_one_happening_differently_are_kept_apart(db):
    from wcit.models import ClaimEvent

    breakdown = ClaimEvent.objects.filter(occasion="conference-breaks-down")
    assert set(breakdown.values_list("happened", flat=True)) == {
        date(2012, 12, 13),
        date(2012, 12, 14),
    }


@pytest.mark.parametrize("kind", Claim.Kind.values)
@pytest.mark.parametrize("stance", [*Claim.Stance.values, ""])
def test_a_claims_labels_are_its_choices_labels(kind, stance):
    claim = Claim(kind=kind, stance=stance)
    assert claim.kind_label == claim.get_kind_display() == dict(Claim.Kind.choices)[kind]
    assert claim.stance_label == (claim.get_stance_display() if stance else "No stance")


@pytest.mark.parametrize("model", [Country, Clause, Source, Speaker])
def test_capped_claim_counts_stop_one_past_the_cap(db, model):
    """A list page counts each row's published claims up to the cap, then stops."""
    Claim.objects.filter(pk=1).update(status=Claim.Status.DRAFT)
    exact = dict(model.objects.with_claim_counts().values_list("pk", "claim_count"))
    cap = 3
    capped = model.objects.claim_counts(cap)
    assert capped == {pk: min(n, cap + 1) for pk, n in exact.items()}
    # Some rows are past the cap and some below it, so both branches are checked.
    assert max(exact.values()) > cap + 1
    assert min(exact.values()) <= cap


def test_a_capped_count_says_it_stopped():
    from wcit.models.base import COUNT_CAP
    from wcit.templatetags.counting import capped

    assert capped(COUNT_CAP) == COUNT_CAP
    assert capped(COUNT_CAP + 1) == f"{COUNT_CAP:,}+" == "1,000+"
