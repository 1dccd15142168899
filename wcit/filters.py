"""One FilterSet per list page. Filter values are the natural keys used in URLs."""

import django_filters

from . import search
from .models import Claim, Clause, Country, Source, Speaker


def country_choices():
    return [(country.slug, country.name) for country in Country.objects.all()]


def clause_choices():
    return list(Clause.objects.values_list("code", "title"))


def source_choices():
    return list(Source.objects.values_list("slug", "title"))


def speaker_choices():
    return list(Speaker.objects.values_list("slug", "name"))


NO_STANCE = "none"


def filter_problems(filterset, data):
    """(parameter, message, allowed values) for each bad value of a bound filterset."""
    for name, errors in filterset.errors.items():
        field = filterset.form.fields[name]
        allowed = [str(value) for value, _label in getattr(field, "choices", []) if value]
        yield name, f"“{data.get(name, '')}” is not allowed. {' '.join(errors)}", allowed


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Text", method="filter_text")
    country = django_filters.ChoiceFilter(
        label="Country", choices=country_choices, method="filter_country"
    )
    clause = django_filters.ChoiceFilter(
        label="Clause", choices=clause_choices, field_name="clauses__code"
    )
    source = django_filters.ChoiceFilter(
        label="Source", choices=source_choices, field_name="source__slug"
    )
    speaker = django_filters.ChoiceFilter(
        label="Speaker", choices=speaker_choices, field_name="speaker__slug"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Claim.Kind.choices)
    stance = django_filters.ChoiceFilter(
        label="Stance",
        choices=[*Claim.Stance.choices, (NO_STANCE, "No stance")],
        method="filter_stance",
    )

    class Meta:
        model = Claim
        fields = ["q", "country", "clause", "source", "speaker", "kind", "stance"]

    def filter_text(self, queryset, name, value):
        return search.search_claims(queryset, value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(countries__code=value.upper())

    def filter_stance(self, queryset, name, value):
        return queryset.filter(stance="" if value == NO_STANCE else value)


class CountryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Reported status", choices=Claim.SignatureStatus.choices, method="filter_status"
    )

    class Meta:
        model = Country
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        reporting = Claim.objects.published().filter(signature_status=value)
        return queryset.filter(claims__in=reporting).distinct()


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Kind", choices=Source.Kind.choices)

    class Meta:
        model = Source
        fields = ["kind"]


class SpeakerFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Kind", choices=Speaker.Kind.choices)

    class Meta:
        model = Speaker
        fields = ["kind"]
