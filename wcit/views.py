"""The reading pages. Query logic lives on the QuerySets; views assemble context."""

import json
from collections import defaultdict
from itertools import groupby

from django.core.exceptions import BadRequest
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from . import anchoring, cache, exports, reading, search
from .filters import (
    NO_STANCE,
    ClaimFilter,
    CountryFilter,
    SourceFilter,
    SpeakerFilter,
    filter_problems,
)
from .models import (
    Claim,
    ClaimRelation,
    Clause,
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
    """Refuse an invalid filter or page value with a 400 instead of an unfiltered list.

    The same view answers its CSV and JSON twins (``format`` in the URL) with
    exactly the rows its filters select, unpaginated.
    """

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so that "no filter" is a valid, empty selection.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_filterset(self, filterset_class):
        if not hasattr(self, "_filterset"):
            self._filterset = super().get_filterset(filterset_class)
        return self._filterset

    def get(self, request, *args, **kwargs):
        export_format = kwargs.get("format")
        try:
            filterset = self.get_filterset(self.get_filterset_class())
            if not filterset.is_valid():
                raise BadFilter(list(filter_problems(filterset, request.GET)))
            if export_format:
                return exports.respond(
                    request, export_format, self.export_rows(filterset.qs), self.export_fields
                )
            return super().get(request, *args, **kwargs)
        except BadFilter as error:
            if export_format:
                return exports.error(export_format, error.problems)
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = f"?{query.urlencode()}" if query else ""
        return context


def search_page(request):
    """Search claims and source passages; hits link to their passages."""
    text = request.GET.get("q", "").strip()
    if len(text) > 300:
        return bad_request(
            request,
            BadFilter(
                [("q", "The query is longer than 300 characters.", ["up to 300 characters"])]
            ),
        )
    context = {"q": text, "terms": search.terms(text)}
    if context["terms"]:
        context["claim_hits"] = search.claim_hits(Claim.objects.published().for_list(), text)
        context["passage_hits"] = search.passage_hits(Source.objects.all(), text)
    return render(request, "wcit/search.html", context)


def home(request):
    """The overview: what WCIT-12 was, its key figures with their passages, ways in."""
    return render(
        request,
        "wcit/home.html",
        {
            "figures": KeyFigure.objects.select_related("claim__source"),
            # Counting 100,000 claims costs more than the rest of the page: once per version.
            "counts": cache.per_version(
                "home-counts",
                (),
                lambda: {
                    "countries": Country.objects.count(),
                    "clauses": Clause.objects.count(),
                    "sources": Source.objects.count(),
                    "claims": Claim.objects.published().count(),
                },
            ),
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
    export_fields = ["code", "name", "claim_count", "reported_status", "html_url"]

    def export_rows(self, countries):
        reports = status_reports()
        for country in sorted(countries, key=lambda country: country.name):
            yield {
                "code": country.slug,
                "name": country.name,
                "claim_count": country.claim_count,
                "reported_status": [
                    f"{claim.signature_status}:{claim.source.published or 'undated'}:"
                    f"claim-{claim.pk}"
                    for claim in reports.get(country.pk, [])
                ],
                "html_url": self.request.build_absolute_uri(country.get_absolute_url()),
            }

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
        context["voices"] = Claim.objects.published().by_speakers_from(country).for_list()
        return context


class ClauseListView(ListView):
    def get_queryset(self):
        return Clause.objects.with_claim_counts()


class ClauseDetailView(DetailView):
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Clause.objects.with_versions()

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
    export_fields = [
        "slug",
        "title",
        "kind",
        "author",
        "outlet",
        "published",
        "url",
        "parent",
        "claim_count",
        "html_url",
    ]

    def export_rows(self, sources):
        for source in sources.order_by("slug"):
            yield {
                "slug": source.slug,
                "title": source.title,
                "kind": source.kind,
                "author": source.author.name if source.author else None,
                "outlet": source.outlet,
                "published": source.published.isoformat() if source.published else None,
                "url": source.url or None,
                "parent": source.parent.slug if source.parent else None,
                "claim_count": source.claim_count,
                "html_url": self.request.build_absolute_uri(source.get_absolute_url()),
            }

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
    export_fields = ["slug", "name", "kind", "role", "country", "claim_count", "html_url"]

    def export_rows(self, speakers):
        for speaker in speakers:
            yield {
                "slug": speaker.slug,
                "name": speaker.name,
                "kind": speaker.kind,
                "role": speaker.role,
                "country": speaker.country.slug if speaker.country else None,
                "claim_count": speaker.claim_count,
                "html_url": self.request.build_absolute_uri(speaker.get_absolute_url()),
            }

    def get_queryset(self):
        return Speaker.objects.with_claim_counts().select_related("country").with_source_counts()


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
    export_fields = [
        "id",
        "summary",
        "quote",
        "start",
        "end",
        "source",
        "speaker",
        "countries",
        "clauses",
        "kind",
        "stance",
        "signature_status",
        "html_url",
        "source_html_url",
    ]

    def export_rows(self, claims):
        # Source texts are fetched once, not joined onto every row.
        texts = dict(Source.objects.values_list("pk", "text"))
        claims = claims.defer("source__text", "source__notes", "search_document")
        for claim in claims.iterator(chunk_size=2000):
            anchor = anchoring.resolve(
                texts[claim.source_id], claim.quote, claim.prefix, claim.suffix
            )
            yield {
                "id": claim.pk,
                "summary": claim.summary,
                "quote": claim.quote,
                "start": anchor.start,
                "end": anchor.end,
                "source": claim.source.slug,
                "speaker": claim.speaker.slug if claim.speaker else None,
                "countries": [country.slug for country in claim.countries.all()],
                "clauses": [clause.code for clause in claim.clauses.all()],
                "kind": claim.kind,
                "stance": claim.stance or None,
                "signature_status": claim.signature_status or None,
                "html_url": self.request.build_absolute_uri(claim.get_absolute_url()),
                "source_html_url": self.request.build_absolute_uri(
                    f"{claim.source.get_absolute_url()}#{claim.dom_id}"
                ),
            }

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
            for name, rows in facet_counts(filterset).items()
        ]
        return context


def facet_counts(filterset):
    """The selection's facet counts, computed once per data version and filter values."""
    params = sorted((k, v) for k, v in filterset.form.cleaned_data.items() if v)
    return cache.per_version("facets", params, filterset.qs.facet_counts)


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
        return Claim.objects.published().for_list().with_relations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        anchor = claim.anchor
        context["before"], context["passage"], context["after"] = reading.context(
            claim.source.text, anchor.start, anchor.end
        )
        if claim.source.url:
            context["original_url"] = claim.source.url + reading.text_fragment(claim.quote)
        context["json_ld"] = json_ld(self.request, claim)
        return context


def _agent(speaker):
    if speaker is None:
        return None
    kind = "Person" if speaker.kind == Speaker.Kind.PERSON else "Organization"
    return {"@type": kind, "name": speaker.name, "url": speaker.get_absolute_url()}


def json_ld(request, claim):
    """schema.org ``Claim`` whose ``appearance`` is the source, as safe <script> content."""
    source = claim.source
    appearance = {
        "@type": "CreativeWork",
        "name": source.title,
        "url": source.url or request.build_absolute_uri(source.get_absolute_url()),
    }
    if source.author:
        appearance["author"] = _agent(source.author)
    if source.published:
        appearance["datePublished"] = source.published.isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "name": claim.summary,
        "text": claim.quote,
        "appearance": appearance,
    }
    if claim.speaker:
        data["author"] = _agent(claim.speaker)
        data["author"]["url"] = request.build_absolute_uri(claim.speaker.get_absolute_url())
    if appearance.get("author"):
        appearance["author"]["url"] = request.build_absolute_uri(appearance["author"]["url"])
    # The same escapes as Django's json_script: no "</script>" can close the element early.
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))
