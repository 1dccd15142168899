import pytest

from wcit.filters import ClaimFilter, CountryFilter, SourceFilter, SpeakerFilter
from wcit.models import Claim, Country, Source, Speaker

pytestmark = pytest.mark.django_db


def claims(**params):
    filterset = ClaimFilter(params, queryset=Claim.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_claim_filter_by_country_and_clause():
    result = claims(country="se")
    assert result.exists()
    assert all(c.countries.filter(code="SE").exists() for c in result)
    both = claims(country="us", clause="5b")
    assert both.exists()
    assert all(c.clauses.filter(code="5b").exists() for c in both)


def test_claim_filter_by_kind_stance_source_speaker():
    assert set(claims(kind="quote").values_list("kind", flat=True)) == {"quote"}
    assert set(claims(stance="none").values_list("stance", flat=True)) == {""}
    assert set(claims(source="cdt-wcit-watch-day-11").values_list("source__slug", flat=True)) == {
        "cdt-wcit-watch-day-11"
    }
    assert set(claims(speaker="olivier").values_list("speaker__slug", flat=True)) == {"olivier"}


def test_claim_text_search_matches_every_word():
    result = claims(q="Internet never")
    assert result.exists()
    for claim in result:
        text = (claim.summary + claim.quote).lower()
        assert "internet" in text and "never" in text


@pytest.mark.parametrize("params", [{"country": "zz"}, {"kind": "banana"}, {"clause": "6c"}])
def test_claim_filter_rejects_unknown_values(params):
    assert not ClaimFilter(params, queryset=Claim.objects.all()).is_valid()


def test_country_filter_by_the_status_the_map_shows():
    """Japan was reported undecided (13 Dec), then walking out (30 Dec): its status is the
    latest report's, as on the map."""
    undecided = CountryFilter({"status": ["undecided"]}, queryset=Country.objects.all()).qs
    assert Country.objects.get(code="SE") in undecided
    assert Country.objects.get(code="ZA") not in undecided
    assert Country.objects.get(code="JP") not in undecided
    refused = CountryFilter(
        {"status": ["not_signed", "walked_out"]}, queryset=Country.objects.all()
    )
    assert {"JP", "US", "GB"} <= {str(c.code) for c in refused.qs}
    named = CountryFilter({"status": ["named"]}, queryset=Country.objects.all()).qs
    assert Country.objects.get(code="CN") in named


def test_source_and_speaker_filters_by_kind():
    comments = SourceFilter({"kind": "comment"}, queryset=Source.objects.all()).qs
    assert comments.count() == 17
    delegations = SpeakerFilter({"kind": "delegation"}, queryset=Speaker.objects.all()).qs
    assert set(delegations.values_list("slug", flat=True)) == {"us-delegation", "uk-delegation"}


def test_claim_filter_takes_a_country_code_in_either_case():
    assert list(claims(country="SE")) == list(claims(country="se"))


def test_claim_filter_facets_and_active_chips_without_http():
    from django.http import QueryDict

    filterset = ClaimFilter(QueryDict("clause=5b&stance=none"), queryset=Claim.objects.published())
    assert filterset.is_valid()
    active = {chip["name"]: chip for chip in filterset.active()}
    assert active["stance"]["display"] == Claim.NO_STANCE_LABEL
    assert active["clause"]["remove_url"] == "?stance=none"
    facets = {facet["name"]: facet for facet in filterset.facets()}
    (stance_row,) = facets["stance"]["rows"]
    assert stance_row["value"] == "none" and stance_row["selected"]
    assert stance_row["count"] == filterset.qs.count()
    five_b = next(row for row in facets["clause"]["rows"] if row["value"] == "5b")
    assert five_b["count"] == filterset.qs.count()


def test_country_status_filter_counts_are_not_multiplied():
    filterset = CountryFilter(
        {"status": ["walked_out"]}, queryset=Country.objects.with_claim_counts()
    )
    assert filterset.is_valid()
    us = filterset.qs.get(code="US")
    assert us.claim_count == Claim.objects.published().filter(countries__code="US").count()
