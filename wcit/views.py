"""The reading pages. Query logic lives on the QuerySets; views assemble context."""

from collections import defaultdict
from itertools import groupby

from django.core.exceptions import BadRequest
from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from . import reading
from .filters import NO_STANCE, ClaimFilter, CountryFilter, SourceFilter, SpeakerFilter
from .models import (
    Claim,
    ClaimRelation,
    Clause,
    ClauseText,
    Country,
    KeyFigure,
    Source,
    Speaker,
)


class BadFilter(BadRequest):
    """A query-string value that is not allowed; the 400 page lists what is."""

    def __init__(self, problems):
        super().__init__("; ".join(f"{name}: {message}" for name, message, _allowed in problems))
        self.problems = problems


def bad_request(request, exception=None):
    """The 400 page, naming each bad parameter and its allowed values."""
    problems = getattr(exception, "problems", None) or [
        ("request", str(exception) if exception else "Bad request.", [])
    ]
    return render(request, "400.html", {"problems": problems}, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


class StrictFilterMixin:
    """Refuse an invalid filter or page value with a 400 instead of an unfiltered list."""

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so that "no filter" is a valid, empty selection.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get(self, request, *args, **kwargs):
        try:
            filterset = self.get_filterset(self.get_filterset_class())
            if filterset.is_bound and not filterset.is_valid():
                raise BadFilter(
                    [
                        _problem(request, filterset, name, errors)
                        for name, errors in filterset.errors.items()
                    ]
                )
            return super().get(request, *args, **kwargs)
        except BadFilter as error:
            return bad_request(request, error)

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404 as error:
            value = self.request.GET.get(self.page_kwarg, "")
            raise BadFilter(
                [
                    (
                        self.page_kwarg,
                        f"“{value}” is not a page of this list: {error}",
                        ["a page number from 1 to the last page", "last"],
                    )
                ]
            ) from error


def _problem(request, filterset, name, errors):
    field = filterset.form.fields[name]
    allowed = [str(value) for value, _label in getattr(field, "choices", []) if value]
    value = request.GET.get(name, "")
    return (name, f"“{value}” is not allowed. {' '.join(errors)}", allowed)


def home(request):
    """The overview: what WCIT-12 was, its key figures with their passages, ways in."""
    return render(
        request,
        "wcit/home.html",
        {
            "figures": KeyFigure.objects.select_related("claim__source"),
            "counts": {
                "countries": Country.objects.count(),
                "clauses": Clause.objects.count(),
                "sources": Source.objects.count(),
                "claims": Claim.objects.published().count(),
            },
            "clauses": Clause.objects.all(),
        },
    )


def status_reports():
    """Each country's reported signature statuses: country pk -> claims, oldest first."""
    reports = defaultdict(list)
    claims = (
        Claim.objects.published()
        .reporting_status()
        .select_related("source")
        .prefetch_related("countries")
        .order_by(F("source__published").asc(nulls_last=True), "id")
    )
    for claim in claims:
        for country in claim.countries.all():
            reports[country.pk].append(claim)
    return reports


class CountryListView(StrictFilterMixin, FilterView):
    filterset_class = CountryFilter
    template_name = "wcit/country_filter.html"

    def get_queryset(self):
        return Country.objects.with_claim_counts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = status_reports()
        countries = sorted(context["object_list"], key=lambda country: country.name)
        for country in countries:
            country.reports = reports.get(country.pk, [])
        context["countries"] = countries
        return context


class CountryDetailView(DetailView):
    model = Country

    def get(self, request, *args, **kwargs):
        code = kwargs["code"]
        if code != code.lower():
            return redirect("country-detail", code=code.lower(), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return get_object_or_404(Country, code=self.kwargs["code"].upper())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        claims = list(Claim.objects.published().for_country(country).for_list())
        by_clause = defaultdict(list)
        for claim in claims:
            for clause in claim.clauses.all() or [None]:
                by_clause[clause].append(claim)
        context["reports"] = status_reports().get(country.pk, [])
        context["by_clause"] = sorted(
            by_clause.items(), key=lambda item: item[0].position if item[0] else 10_000
        )
        context["claim_count"] = len(claims)
        context["voices"] = Claim.objects.published().filter(speaker__country=country).for_list()
        return context


class ClauseListView(ListView):
    def get_queryset(self):
        return Clause.objects.with_claim_counts()


class ClauseDetailView(DetailView):
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Clause.objects.prefetch_related(
            Prefetch(
                "texts",
                to_attr="versions",
                queryset=ClauseText.objects.select_related("source__author"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = list(
            Claim.objects.published().for_clause(self.object).for_list().order_by("stance", "id")
        )
        order = {Claim.Stance.FOR: 0, Claim.Stance.AGAINST: 1, Claim.Stance.NEUTRAL: 2, "": 3}
        claims.sort(key=lambda claim: (order[claim.stance], claim.pk))
        context["stances"] = [
            (stance, list(group))
            for stance, group in groupby(claims, key=lambda claim: claim.stance)
        ]
        context["versions"] = reading.compare_versions(self.object.versions)
        ids = [claim.pk for claim in claims]
        context["exchanges"] = ClaimRelation.objects.between(ids)
        return context


class SourceListView(StrictFilterMixin, FilterView):
    filterset_class = SourceFilter
    template_name = "wcit/source_filter.html"

    def get_queryset(self):
        return Source.objects.with_claim_counts().select_related("author", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tree"] = Source.tree(context["object_list"])
        return context


class SourceDetailView(DetailView):
    def get_queryset(self):
        return Source.objects.select_related("author", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        thread = Source.objects.descendants_of(source)
        claims_by_source = defaultdict(list)
        for claim in Claim.objects.published().filter(source__in=[source, *thread]):
            claims_by_source[claim.source_id].append(claim)
        for item in [source, *thread]:
            claims = claims_by_source[item.pk]
            for claim in claims:
                claim.source = item
            item.paragraphs = reading.render_text(item.text, claims)
            item.claim_list = claims
        context["replies"] = Source.tree(thread, root=source)
        return context


class SpeakerListView(StrictFilterMixin, FilterView):
    filterset_class = SpeakerFilter
    template_name = "wcit/speaker_filter.html"

    def get_queryset(self):
        return (
            Speaker.objects.with_claim_counts()
            .select_related("country")
            .annotate(source_count=Count("claims__source", distinct=True))
        )


class SpeakerDetailView(DetailView):
    def get_queryset(self):
        return Speaker.objects.select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = Claim.objects.published().filter(speaker=self.object).for_list()
        context["by_source"] = [
            (source, list(group))
            for source, group in groupby(
                claims.order_by("source__slug", "id"), key=lambda claim: claim.source
            )
        ]
        context["authored"] = self.object.sources.all()
        return context


class ClaimListView(StrictFilterMixin, FilterView):
    filterset_class = ClaimFilter
    template_name = "wcit/claim_filter.html"
    paginate_by = 50

    def get_queryset(self):
        return Claim.objects.published().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        cleaned = filterset.form.cleaned_data
        context["active"] = [
            {
                "name": name,
                "label": filterset.form.fields[name].label,
                "display": _display(filterset, name, value),
                "remove_url": query_with(self.request, **{name: None}),
            }
            for name, value in cleaned.items()
            if value
        ]
        context["facets"] = [
            {
                "name": name,
                "label": filterset.form.fields[name].label,
                "rows": [
                    {
                        "value": value,
                        "label": label,
                        "count": count,
                        "selected": cleaned.get(name) == value,
                        "url": query_with(self.request, **{name: value}),
                    }
                    for value, label, count in rows
                ],
            }
            for name, rows in filterset.qs.facet_counts().items()
        ]
        return context


def query_with(request, **changes):
    """The current query string with ``changes`` applied (None removes) and paging reset."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return f"?{params.urlencode()}" if params else "?"


def _display(filterset, name, value):
    if name == "stance" and value == NO_STANCE:
        return "No stance"
    return dict(getattr(filterset.form.fields[name], "choices", [])).get(value, value)


class ClaimDetailView(DetailView):
    def get_queryset(self):
        return (
            Claim.objects.published()
            .for_list()
            .prefetch_related(
                Prefetch(
                    "relations_out",
                    queryset=ClaimRelation.objects.select_related("to_claim__source"),
                ),
                Prefetch(
                    "relations_in",
                    queryset=ClaimRelation.objects.select_related("from_claim__source"),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        anchor = claim.anchor
        context["before"], context["passage"], context["after"] = reading.context(
            claim.source.text, anchor.start, anchor.end
        )
        if claim.source.url:
            context["original_url"] = claim.source.url + reading.text_fragment(claim.quote)
        return context
