"""One FilterSet per list. Filter values are the natural keys used in URLs.

The same FilterSets filter the HTML lists, their downloads and the API lists:
``validated`` turns a bad value into the one ``InvalidParameters`` error.
"""

import django_filters
from django import forms

from . import search
from .models import Claim, Clause, Country, Source, Speaker
from .schemas import InvalidParameters


def country_choices():
    return [(country.slug, country.name) for country in Country.objects.all()]


def clause_choices():
    return list(Clause.objects.values_list("code", "title"))


def source_choices():
    return list(Source.objects.values_list("slug", "title"))


def speaker_choices():
    return list(Speaker.objects.values_list("slug", "name"))


NO_STANCE = Claim.NO_STANCE


def validated(filterset):
    """``filterset``, bound and valid; otherwise ``InvalidParameters`` naming each bad value."""
    if filterset.is_valid():
        return filterset
    problems = []
    for name, errors in filterset.errors.items():
        field = filterset.form.fields[name]
        allowed = [str(value) for value, _label in getattr(field, "choices", []) if value]
        given = filterset.data.get(name, "")
        problems.append(
            {
                "parameter": name,
                "message": f"“{given}” is not allowed. {' '.join(errors)}",
                "allowed": allowed,
            }
        )
    raise InvalidParameters(problems)


def query_with(data, **changes):
    """The query string ``data`` with ``changes`` applied (None removes) and paging reset."""
    params = data.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return f"?{params.urlencode()}" if params else "?"


class CountryCodeField(forms.ChoiceField):
    """An ISO code in any case: ``SE`` and ``se`` are the same country."""

    def to_python(self, value):
        return Country.key_for(super().to_python(value))


class CountryCodeFilter(django_filters.ChoiceFilter):
    field_class = CountryCodeField

    def filter(self, qs, value):
        return super().filter(qs, value.upper() if value else value)


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Text", method="filter_text")
    country = CountryCodeFilter(
        label="Country", choices=country_choices, field_name="countries__code"
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
        choices=[*Claim.Stance.choices, (NO_STANCE, Claim.NO_STANCE_LABEL)],
        method="filter_stance",
    )

    class Meta:
        model = Claim
        fields = ["q", "country", "clause", "source", "speaker", "kind", "stance"]

    def filter_text(self, queryset, name, value):
        return search.search_claims(queryset, value)

    def filter_stance(self, queryset, name, value):
        return queryset.filter(stance="" if value == NO_STANCE else value)

    def active(self):
        """The filters in force, each with its label, displayed value and a link removing it."""
        cleaned = self.form.cleaned_data
        return [
            {
                "name": name,
                "label": self.form.fields[name].label,
                "display": dict(getattr(self.form.fields[name], "choices", [])).get(value, value),
                "remove_url": query_with(self.data, **{name: None}),
            }
            for name, value in cleaned.items()
            if value
        ]

    def facets(self):
        """For each filter, its values in the current selection with counts and links."""
        cleaned = self.form.cleaned_data
        return [
            {
                "name": name,
                "label": self.form.fields[name].label,
                "rows": [
                    {
                        "value": value,
                        "label": label,
                        "count": count,
                        "selected": cleaned.get(name) == value,
                        "url": query_with(self.data, **{name: value}),
                    }
                    for value, label, count in rows
                ],
            }
            for name, rows in self.qs.facet_counts().items()
        ]


class CountryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Reported status", choices=Claim.SignatureStatus.choices, method="filter_status"
    )

    class Meta:
        model = Country
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        return queryset.reported_as(value)


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
