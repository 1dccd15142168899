"""One FilterSet per list. Filter values are the natural keys used in URLs.

The same FilterSets filter the HTML lists, their downloads and the API lists:
``validated`` turns a bad value into the one ``InvalidParameters`` error.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import search
from .formats import collation_key
from .models import Claim, Clause, Country, Dispute, Position, Source, Speaker
from .problems import InvalidParameters


def position_choices():
    positions = Position.objects.select_related("dispute")
    return [(f"{p.dispute.slug}:{p.key}", f"{p.dispute.question} {p.label}") for p in positions]


class ByNameIterator(forms.models.ModelChoiceIterator):
    """The choices of a menu in the order of their names, as a reader looks for one: a
    country's name comes from the ISO list in the page's language, not the database, so the
    sorting is done here, in the Unicode collation (wcit.formats.collation_key)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        choices = [self.choice(obj) for obj in self.queryset]
        yield from sorted(choices, key=lambda choice: collation_key(choice[1]))


class KeyChoiceField(forms.ModelChoiceField):
    """A record chosen by its natural key (``to_field_name``); a bad key is named back.
    Offered sorted by name."""

    iterator = ByNameIterator
    default_error_messages = {
        "invalid_choice": _("Select a valid choice. %(value)s is not one of the available choices.")
    }


class CountryCodeField(KeyChoiceField):
    """A country by its ISO code in either case (``SE`` and ``se``), offered in lower case."""

    def to_python(self, value):
        try:
            return super().to_python(Country.key_for(value).upper() if value else value)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": Country.key_for(value)},
            ) from None

    def prepare_value(self, value):
        if isinstance(value, Country):
            return value.slug
        return Country.key_for(value) if isinstance(value, str) else value


# What a value may look like (a regular expression), for the API's documentation.
SLUG = "[-a-zA-Z0-9_]+"
COUNTRY_CODE = "[a-zA-Z]{2}"


class KeyFilter(django_filters.ModelChoiceFilter):
    """A filter choosing one ``model`` record by its natural key (a code or a slug): validated
    by looking that one key up, and offered as the list of them where the form is shown."""

    field_class = KeyChoiceField
    pattern = SLUG

    def __init__(self, model, *args, **kwargs):
        kwargs.setdefault("to_field_name", model.key_field)
        super().__init__(*args, queryset=model.objects.all(), **kwargs)


class CountryCodeFilter(KeyFilter):
    """Records about a country given by its code; ``field_name`` is the link to countries."""

    field_class = CountryCodeField
    pattern = COUNTRY_CODE

    def __init__(self, *args, **kwargs):
        super().__init__(Country, *args, to_field_name="code", **kwargs)


class WholeNumberField(forms.IntegerField):
    """A whole number in ASCII digits: not “1.5”, nor “1.0”, nor a full-width “１”, all of
    which Django's IntegerField would take."""

    def to_python(self, value):
        if value not in self.empty_values and not (value.isascii() and value.isdigit()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = WholeNumberField
    pattern = "[0-9]+"


class PositionFilter(django_filters.ChoiceFilter):
    """A side of a dispute, as “dispute-slug:side-key”."""

    pattern = f"{SLUG}:{SLUG}"


def query_parameters(filterset_class):
    """(the query parameters of a list filtered by ``filterset_class``: its filters and
    ``page``; those of them that take several values)."""
    filters = filterset_class.base_filters
    several = [
        name
        for name, each in filters.items()
        if isinstance(each, django_filters.MultipleChoiceFilter)
    ]
    return (*filters, "page"), tuple(several)


NO_STANCE = Claim.NO_STANCE
# The claims' order when a reader chooses none and searches for nothing: most answered first.
DEFAULT_ORDER = "answered"
SORT_CHOICES = [
    ("source", _("Source, in reading order")),
    ("date", _("Date of the source")),
    ("answered", _("Most answered")),
]
ANSWERED_CHOICES = [
    ("rebutted", _("Rebutted")),
    ("supported", _("Supported")),
    ("any", _("Rebutted or supported")),
]


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
                "message": gettext("“%(value)s” is not allowed.") % {"value": given}
                + " "
                + " ".join(errors),
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


class FilterSet(django_filters.FilterSet):
    """A list's filters. What views keep per data version of a list (its ``count()``, its
    ``block()``) is keyed by ``version_key()``: the FilterSet and its query string."""

    def count(self):
        """How many rows the filters select."""
        return self.qs.count()

    def version_key(self):
        """The FilterSet and its query string, the page aside: all a count or a block depends
        on. The HTML list, its downloads and the API list of one FilterSet share its count;
        only the HTML list shows the block."""
        query = self.data.copy()
        query.pop("page", None)
        return (type(self).__qualname__, sorted(query.lists()))


class FacetedFilterSet(FilterSet):
    """Facets and active-filter chips, for a list whose queryset has ``facet_counts()``."""

    def active(self):
        """The filters in force, each with its label, displayed value and a link removing it."""
        return [
            {
                "name": name,
                "label": self.form.fields[name].label,
                "display": self._display(name, value),
                "remove_url": query_with(self.data, **{name: None}),
            }
            for name, value in self.form.cleaned_data.items()
            if value
        ]

    def _display(self, name, value):
        """A chosen record by its name; a chosen value by its label."""
        if isinstance(value, models.Model):
            return str(value)
        return dict(getattr(self.form.fields[name], "choices", [])).get(value, value)

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
                        "selected": getattr(cleaned.get(name), "key", cleaned.get(name)) == value,
                        "url": query_with(self.data, **{name: value}),
                    }
                    for value, label, count in rows
                ],
            }
            for name, rows in self.qs.facet_counts().items()
        ]

    def block(self):
        """The filter block of an HTML list: the chips, the form and the facet counts."""
        context = {
            "filter": self,
            "active": self.active(),
            "facets": self.facets(),
            "list_url": self.request.path,
            "what": self._meta.model._meta.verbose_name_plural,
        }
        return render_to_string("wcit/_facets.html", context)


COUNTRY_HELP = "Lower-case ISO 3166-1 code, e.g. “se” (either case is accepted)."
CLAUSE_HELP = "Clause code, e.g. “5b”."


class ClaimFilter(FacetedFilterSet):
    # What each parameter takes, for the API's documentation (``wcit.api.query_schema``).
    help = {
        "q": "Words that must all be in the summary or the quote (ranked best first).",
        "country": COUNTRY_HELP,
        "clause": CLAUSE_HELP,
        "source": "Source slug.",
        "speaker": "Speaker slug.",
        "stance": f"“{NO_STANCE}” for claims without a stance.",
        "answered": "Claims some published claim rebuts, supports, or either.",
        "position": "A side of a dispute as “dispute-slug:side-key”.",
        "passage": "A claim's id: the claims quoting the same passage as it.",
        "sort": "Order; by default the most answered first (then claim order), or best "
        "match with “q”.",
    }

    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    country = CountryCodeFilter(label=_("Country"), field_name="countries")
    clause = KeyFilter(Clause, label=_("Clause"), field_name="clauses")
    source = KeyFilter(Source, label=_("Source"))
    speaker = KeyFilter(Speaker, label=_("Speaker"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Claim.Kind.choices)
    stance = django_filters.ChoiceFilter(
        label=_("Stance"),
        choices=[*Claim.Stance.choices, (NO_STANCE, Claim.NO_STANCE_LABEL)],
        method="filter_stance",
    )
    answered = django_filters.ChoiceFilter(
        label=pgettext_lazy("claims some claim rebuts or supports", "Answered"),
        choices=ANSWERED_CHOICES,
        method="filter_answered",
    )
    position = PositionFilter(
        label=_("Side in a dispute"), choices=position_choices, method="filter_position"
    )
    passage = WholeNumberFilter(
        label=_("Same passage as claim"), method="filter_passage", min_value=1
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=_("Most answered first (best match when searching)"),
    )

    class Meta:
        model = Claim
        fields = [
            "q",
            "country",
            "clause",
            "source",
            "speaker",
            "kind",
            "stance",
            "answered",
            "position",
            "passage",
            "sort",
        ]

    def filter_text(self, queryset, name, value):
        return search.search_claims(queryset, value)

    def filter_stance(self, queryset, name, value):
        return queryset.filter(stance="" if value == NO_STANCE else value)

    def filter_answered(self, queryset, name, value):
        return queryset.answered(value)

    def filter_passage(self, queryset, name, value):
        claim = Claim.objects.filter(pk=value).first()
        return queryset.same_passage_as(claim) if claim else queryset.none()

    def filter_position(self, queryset, name, value):
        dispute, key = value.split(":", 1)
        return queryset.filter(positions__dispute__slug=dispute, positions__key=key)

    def filter_sort(self, queryset, name, value):
        return queryset.sorted_by(value)

    def filter_queryset(self, queryset):
        """The filtered claims in the chosen order, or best match first for a search, or by
        default ``DEFAULT_ORDER``: the claims at the heart of the debate, from every source,
        rather than the first source's claims in the order they were filed. The page, its
        downloads and the API list agree."""
        cleaned = self.form.cleaned_data
        if not cleaned.get("sort") and not cleaned.get("q"):
            queryset = queryset.sorted_by(DEFAULT_ORDER)
        return super().filter_queryset(queryset)


class DisputeFilter(FacetedFilterSet):
    """Disputes in which some published claim has the chosen country, clause, source or speaker."""

    help = {
        "country": COUNTRY_HELP,
        "clause": CLAUSE_HELP,
        "source": "Source slug.",
        "speaker": "Speaker slug.",
    }

    country = CountryCodeFilter(label=_("Country"), method="filter_claims")
    clause = KeyFilter(Clause, label=_("Clause"), method="filter_claims")
    source = KeyFilter(Source, label=_("Source"), method="filter_claims")
    speaker = KeyFilter(Speaker, label=_("Speaker"), method="filter_claims")

    CLAIM_FIELDS = {
        "country": "countries",
        "clause": "clauses",
        "source": "source",
        "speaker": "speaker",
    }

    class Meta:
        model = Dispute
        fields = ["country", "clause", "source", "speaker"]

    def filter_claims(self, queryset, name, value):
        claims = Claim.objects.published().filter(**{self.CLAIM_FIELDS[name]: value})
        return queryset.involving(claims)


class CountryFilter(FilterSet):
    help = {
        "status": "The status as the map shows it: the latest report's, “disputed” where the "
        "sources disagree, “named” where none reports one. Several are allowed "
        "(status=not_signed&status=walked_out)."
    }

    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=Country.MAP_STATUSES,
        method="filter_status",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Country
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        return queryset.in_map_status(value) if value else queryset


class SourceFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Source.Kind.choices)

    class Meta:
        model = Source
        fields = ["kind"]


class SpeakerFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Speaker.Kind.choices)

    class Meta:
        model = Speaker
        fields = ["kind"]
