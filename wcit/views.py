"""The reading pages. Query logic lives on the QuerySets; views assemble context."""

import json
from collections import defaultdict

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from . import cache, exports, pictures, reading, search
from .filters import (
    ClaimFilter,
    CountryFilter,
    DisputeFilter,
    FacetsMixin,
    SourceFilter,
    SpeakerFilter,
    known_count,
    validated,
)
from .models import (
    Claim,
    ClaimEvent,
    ClaimRelation,
    Clause,
    Country,
    Dispute,
    KeyFigure,
    Position,
    Source,
    Speaker,
    with_concerns,
)
from .schemas import (
    DOWNLOAD_PAGE_SIZE,
    ClaimOut,
    CountryOut,
    DisputeOut,
    InvalidParameters,
    SourceOut,
    SpeakerOut,
    paginate,
    schema_org_claim,
)


def bad_request(request, exception=None):
    """The 400 page, naming each bad parameter and its allowed values."""
    if not isinstance(exception, InvalidParameters):
        message = str(exception) if exception else "Bad request."
        exception = InvalidParameters([{"parameter": "request", "message": message}])
    return render(request, "400.html", {"problems": exception.problems}, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


class StrictFilterMixin:
    """Refuse an invalid filter or page value with a 400 instead of an unfiltered list.

    The same view answers its CSV and JSON twins (``format`` in the URL) with
    the rows its filters select, in the API's schema (``export_schema``) and
    pagination.
    """

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so that "no filter" is a valid, empty selection.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_filterset(self, filterset_class):
        if not hasattr(self, "_filterset"):
            self._filterset = validated(super().get_filterset(filterset_class))
        return self._filterset

    def get(self, request, *args, **kwargs):
        export_format = kwargs.get("format")
        try:
            filterset = self.get_filterset(self.get_filterset_class())
            if export_format:
                page = paginate(
                    request, filterset.qs, DOWNLOAD_PAGE_SIZE, count=known_count(filterset)
                )
                return exports.respond(request, export_format, self.export_schema, page)
            return super().get(request, *args, **kwargs)
        except InvalidParameters as error:
            if export_format:
                return exports.error(export_format, error)
            return bad_request(request, error)

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404 as error:
            value = self.request.GET.get(self.page_kwarg, "")
            raise InvalidParameters(
                [
                    {
                        "parameter": self.page_kwarg,
                        "message": f"“{value}” is not a page of this list: {error}",
                        "allowed": ["a page number from 1 to the last page", "last"],
                    }
                ]
            ) from error

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        count = known_count(self.get_filterset(self.get_filterset_class()))
        if count is not None:
            paginator.count = count
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = f"?{query.urlencode()}" if query else ""
        filterset = context["filter"]
        if isinstance(filterset, FacetsMixin):
            context["active"] = filterset.active()
            context["facets_html"] = cache.per_version(
                f"facets-html-{filterset._meta.model.__name__.lower()}",
                context["export_query"],
                lambda: self.render_facets(filterset, context["active"]),
            )
        return context

    def render_facets(self, filterset, active):
        """The chips, filter form and facet counts: kept per data version and query, as the
        counts are, for they are made of nothing else."""
        context = {
            "filter": filterset,
            "active": active,
            "facets": filterset.facets(),
            "list_url": self.request.path,
            "what": filterset._meta.model._meta.verbose_name_plural,
        }
        return render_to_string("wcit/_facets.html", context)


def search_page(request):
    """Search claims and source passages; hits link to their passages."""
    text = request.GET.get("q", "").strip()
    if len(text) > 300:
        return bad_request(
            request,
            InvalidParameters(
                [
                    {
                        "parameter": "q",
                        "message": "The query is longer than 300 characters.",
                        "allowed": ["up to 300 characters"],
                    }
                ]
            ),
        )
    context = {"q": text, "terms": search.terms(text)}
    if context["terms"]:
        claims = Claim.objects.published().for_rows()
        context["claim_hits"] = search.claim_hits(claims, text, limit=SEARCH_LIMIT)
        context["claim_limit"] = SEARCH_LIMIT
        context["passage_hits"] = search.passage_hits(Source.objects.all(), text)
        context["page_hits"] = search.page_hits(text)
    return render(request, "wcit/search.html", context)


def grouped(items, key):
    """[(key, [items...]), ...] in the order each key first appears."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


def tally(claims, filter_name, key):
    """Counts of ``claims`` (a queryset) by kind and by stance, as text and as two small bar
    charts whose bars link to the claim list filtered by ``filter_name=key`` and that kind
    or stance. Two aggregate queries, however many claims."""
    kinds = claims.counts_by("kind")
    stances = {value or Claim.NO_STANCE: n for value, n in claims.counts_by("stance").items()}
    stance_labels = dict([*Claim.Stance.choices, (Claim.NO_STANCE, Claim.NO_STANCE_LABEL)])
    kind_counts = {value: kinds[value] for value in Claim.Kind.values if kinds.get(value)}
    stance_counts = {value: stances[value] for value in stance_labels if stances.get(value)}
    claims_url = reverse("claim-list")

    def urls(name, counts):
        return {value: f"{claims_url}?{filter_name}={key}&{name}={value}" for value in counts}

    return {
        "total": sum(kind_counts.values()),
        "kinds": [(Claim.Kind(value).label, n) for value, n in kind_counts.items()],
        "stances": [(stance_labels[value], n) for value, n in stance_counts.items()],
        "charts": [
            pictures.bar_chart(
                kind_counts,
                dict(Claim.Kind.choices),
                "Claims by kind",
                urls=urls("kind", kind_counts),
            ),
            pictures.bar_chart(
                stance_counts,
                stance_labels,
                "Claims by stance",
                urls=urls("stance", stance_counts),
                scheme="stance",
            ),
        ],
    }


def status_map(countries, small=False):
    """The world map of reported signature status for ``countries`` (with status reports)."""
    statuses, details = {}, {}
    for country in countries:
        status = country.reported_status()
        if status:
            statuses[country.slug] = status
            groups = country.status_groups()
            if len(groups) > 1:
                details[country.slug] = "reported " + ", ".join(
                    f"{group['label'].lower()} ({len(group['sources'])} source"
                    f"{'s' if len(group['sources']) > 1 else ''})"
                    for group in groups
                )
    return pictures.world_map(
        statuses,
        lambda code: reverse("country-detail", args=[code]),
        details=details,
        small=small,
    )


def timeline_events():
    """The dated things the sources tell, for ``pictures.timeline``: each source's
    publication, each dated status report (grouped by source and status), and each
    event a passage dates in December 2012. Other dates (the ITU's founding, the treaty's
    entry into force) are returned apart, for a list: on the axis they would squash it.
    """
    events, elsewhere = [], []
    for source in Source.objects.dated():
        events.append(
            {
                "date": source.published,
                "label": f"Published: {source.title}",
                "url": source.get_absolute_url(),
                "kind": "publication",
            }
        )
    reports = Claim.objects.published().dated_status_reports()
    grouped_reports = grouped(reports, lambda claim: (claim.source, claim.signature_status))
    for (source, _status), claims in grouped_reports:
        names = sorted({country.name for claim in claims for country in claim.countries.all()})
        events.append(
            {
                "date": source.published,
                "label": f"{claims[0].get_signature_status_display()}: {', '.join(names)}",
                "url": claims[0].get_absolute_url(),
                "kind": "status",
                "note": f"as {source.title} reports it",
            }
        )
    happenings = ClaimEvent.objects.published()
    dates_of = defaultdict(set)
    for happening in happenings:
        if happening.occasion:
            dates_of[happening.occasion].add(happening.display_date)
    for happening in happenings:
        item = {
            "date": happening.happened,
            "label": f"{happening.what} ({happening.claim.source.title})",
            "url": happening.claim.get_absolute_url(),
            "kind": "event",
        }
        if len(dates_of.get(happening.occasion, ())) > 1:
            item["note"] = "the sources give different dates: " + " and ".join(
                sorted(dates_of[happening.occasion])
            )
        if not FIRST_DAY <= happening.happened <= pictures.TIMELINE_END:
            elsewhere.append(happening)
        else:
            events.append(item)
    return events, elsewhere


def timeline():
    """The timeline picture and the list of dates outside it."""
    events, elsewhere = timeline_events()
    return pictures.timeline(pictures.CONFERENCE_DAYS, events), elsewhere


FIRST_DAY = pictures.CONFERENCE_DAYS[0].replace(day=1)
HOME_DISPUTES = 6


def home(request):
    """The overview: what WCIT-12 was, its key figures with their passages, ways in."""
    return render(
        request,
        "wcit/home.html",
        {
            "figures": KeyFigure.objects.published()
            .select_related("claim__source")
            .defer("claim__source__search_document"),
            # Counting 100,000 claims costs more than the rest of the page: once per version.
            "counts": cache.per_version(
                "home-counts",
                (),
                lambda: {
                    "countries": Country.objects.count(),
                    "clauses": Clause.objects.count(),
                    "sources": Source.objects.count(),
                    "claims": Claim.objects.published().count(),
                    "disputes": Dispute.objects.count(),
                },
            ),
            "clauses": Clause.objects.all(),
            # Counting every claim on every side, and drawing the map: once per version.
            "disputes": cache.per_version(
                "home-disputes",
                (),
                lambda: list(
                    Dispute.objects.prefetch_related(
                        Prefetch("positions", queryset=Position.objects.with_claim_counts())
                    )[:HOME_DISPUTES]
                ),
            ),
            "map": cache.per_version(
                "home-map",
                (),
                lambda: status_map(Country.objects.with_status_reports(), small=True),
            ),
        },
    )


class CountryListView(StrictFilterMixin, FilterView):
    filterset_class = CountryFilter
    export_schema = CountryOut

    def get_queryset(self):
        return Country.objects.with_claim_counts().with_status_reports()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["countries"] = sorted(context["object_list"], key=lambda country: country.name)
        context["map"] = status_map(context["countries"])
        context["timeline"], context["other_dates"] = cache.per_version("timeline", (), timeline)
        return context


def country_clause_matrix(request):
    """Countries × clauses: the claims about each pair, by stance, each a link to them."""
    cells = Claim.objects.published().stances_by_country_and_clause()
    countries = sorted(
        (
            country
            for country in Country.objects.all()
            if any(key[0] == country.slug for key in cells)
        ),
        key=lambda country: country.name,
    )
    clauses = list(Clause.objects.all())
    claims = reverse("claim-list")
    matrix = pictures.matrix(
        [(c.slug, c.name, c.get_absolute_url()) for c in countries],
        [(c.code, c.title, c.get_absolute_url()) for c in clauses],
        cells,
        lambda country, clause: f"{claims}?country={country}&clause={clause}",
    )
    return render(
        request,
        "wcit/country_clause_matrix.html",
        {"matrix": matrix, "country_count": len(countries), "clause_count": len(clauses)},
    )


class CountryDetailView(DetailView):
    model = Country

    def get(self, request, *args, **kwargs):
        code = kwargs["code"]
        if code != Country.key_for(code):
            return redirect("country-detail", code=Country.key_for(code), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        countries = Country.objects.with_status_reports()
        return get_object_or_404(countries, code=Country.key_for(self.kwargs["code"]).upper())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        claims = Claim.objects.published().for_country(country)
        clauses = Clause.objects.in_bulk()
        key = f"country:{country.slug}"
        context["by_clause"] = sorted(
            (
                (clauses.get(pk), count, sample)
                for pk, count, sample in claims.sample_by("clauses", GROUP_LIMIT, key=key)
            ),
            key=lambda group: group[0].position if group[0] else 10_000,
        )
        context["claim_count"] = claims.count_per_version(key)
        voices = Claim.objects.published().by_speakers_from(country)
        context["voices"] = list(voices.for_rows()[:GROUP_LIMIT])
        context["voice_count"] = voices.count_per_version(f"voices:{country.slug}")
        context["disputes"] = Dispute.objects.involving(
            Claim.objects.published().for_country(country)
        ).listed_per_version(key)
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
        claims = Claim.objects.published().for_clause(self.object)
        order = {Claim.Stance.FOR: 0, Claim.Stance.AGAINST: 1, Claim.Stance.NEUTRAL: 2, "": 3}
        samples = claims.sample_by("stance", STANCE_LIMIT, key=f"clause:{self.object.code}")
        groups = sorted(samples, key=lambda g: order[g[0]])
        context["claim_count"] = sum(count for _stance, count, _sample in groups)
        context["stance_limit"] = STANCE_LIMIT
        context["stances"] = [
            {
                "key": stance or Claim.NO_STANCE,
                "label": sample[0].stance_label,
                "meaning": Claim.STANCE_MEANINGS[stance or Claim.NO_STANCE],
                "count": count,
                "speakers": sorted(
                    grouped(sample, lambda claim: claim.speaker), key=lambda item: -len(item[1])
                ),
            }
            for stance, count, sample in groups
        ]
        context["versions"] = reading.compare_versions(self.object.versions)
        context["disputes"] = Dispute.objects.involving(
            Claim.objects.published().for_clause(self.object)
        ).listed_per_version(f"clause:{self.object.code}")
        return context


class SourceListView(StrictFilterMixin, FilterView):
    filterset_class = SourceFilter
    export_schema = SourceOut

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
        # ?clean=1 shows the text without marks or notes.
        context["clean"] = clean = self.request.GET.get("clean") == "1"
        claims_by_source = defaultdict(list)
        claims = Claim.objects.published().filter(source__in=[source, *thread])
        for claim in claims.one_per_passage():
            claims_by_source[claim.source_id].append(claim)
        for item in [source, *thread]:
            claims = claims_by_source[item.pk]
            for claim in claims:
                claim.source = item
            item.paragraphs = reading.render_text(item.text, claims, marked=not clean)
            item.claim_list = claims
        context["tally"] = tally(
            Claim.objects.published().filter(source=source), "source", source.slug
        )
        context["replies"] = Source.tree(thread, root=source)
        context["disputes"] = Dispute.objects.involving(
            Claim.objects.published().filter(source__in=[source, *thread])
        )
        return context


class SpeakerListView(StrictFilterMixin, FilterView):
    filterset_class = SpeakerFilter
    export_schema = SpeakerOut

    def get_queryset(self):
        return Speaker.objects.with_claim_counts().select_related("country").with_source_counts()


class SpeakerDetailView(DetailView):
    def get_queryset(self):
        return Speaker.objects.select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = Claim.objects.published().filter(speaker=self.object)
        sources = Source.objects.only("slug", "title", "published").in_bulk()
        key = f"speaker:{self.object.slug}"
        context["claim_count"] = claims.count_per_version(key)
        context["by_source"] = sorted(
            (
                (sources[pk], count, sample)
                for pk, count, sample in claims.sample_by("source", GROUP_LIMIT, key=key)
            ),
            key=lambda group: group[0].slug,
        )
        context["tally"] = tally(claims, "speaker", self.object.slug)
        context["authored"] = self.object.sources.all()
        context["disputes"] = Dispute.objects.involving(
            Claim.objects.published().filter(speaker=self.object)
        ).listed_per_version(key)
        return context


class ClaimListView(StrictFilterMixin, FilterView):
    filterset_class = ClaimFilter
    # A screenful of rows to read, not to scroll past: each shows a summary and a quote.
    paginate_by = 25
    export_schema = ClaimOut

    def get_queryset(self):
        claims = Claim.objects.published()
        # A download gives each claim whole, as the API does; the page shows rows.
        return claims.for_data() if self.kwargs.get("format") else claims.for_rows()


class DisputeListView(StrictFilterMixin, FilterView):
    filterset_class = DisputeFilter
    paginate_by = 20
    export_schema = DisputeOut

    def get_queryset(self):
        return Dispute.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = with_concerns(list(page.object_list))
        return context


# How many claims a group on a page shows before linking to the filtered list.
GROUP_LIMIT = 10
# Search shows the best claims, as many as a page of the claim list, and links to them all.
SEARCH_LIMIT = ClaimListView.paginate_by
STANCE_LIMIT = 12
SIDE_LIMIT = 8
RELATION_LIMIT = 20
EXCHANGE_LIMIT = 40


class DisputeDetailView(DetailView):
    def get_queryset(self):
        return Dispute.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dispute = self.object
        claims = {claim.pk: claim for claim in dispute.claims()}
        side = {
            claim.pk: position
            for position in dispute.positions.all()
            for claim in position.published_claims
        }
        for claim in claims.values():
            claim.side = side[claim.pk]
        # Bounded, so that the page does not grow without end with the data: each side
        # shows its first claims and links to them all; the exchange stops at a limit.
        for position in dispute.positions.all():
            position.shown = position.published_claims[:SIDE_LIMIT]
        context["exchange_limit"] = EXCHANGE_LIMIT
        relations = list(
            ClaimRelation.objects.filter(from_claim__in=claims, to_claim__in=claims).order_by("id")[
                : EXCHANGE_LIMIT + 1
            ]
        )
        context["exchange_cut"] = len(relations) > EXCHANGE_LIMIT
        relations = relations[:EXCHANGE_LIMIT]
        for relation in relations:
            # The claims already fetched, with their speakers, sources and sides.
            relation.from_claim, relation.to_claim = (
                claims[relation.from_claim_id],
                claims[relation.to_claim_id],
            )
        context["exchange"] = reading.exchange(relations, order=reading.chronological)
        return context


class ClaimDetailView(DetailView):
    def get_queryset(self):
        return Claim.objects.published().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        published = Claim.objects.published()
        claim.passage_anchor = (
            published.same_passage_as(claim).order_by("id").values_list("pk", flat=True).first()
        )
        # Bounded: the first answers each way, with how many there are in all.
        for direction, other in (("relations_out", "to_claim"), ("relations_in", "from_claim")):
            relations = getattr(claim, direction).filter(**{f"{other}__in": published})
            context[f"{direction}_count"] = relations.count()
            related = relations.select_related(f"{other}__source")
            context[direction] = list(
                related.defer(f"{other}__source__search_document")[:RELATION_LIMIT]
            )
        anchor = claim.anchor
        context["before"], context["passage"], context["after"] = reading.context(
            claim.source.text, anchor.start, anchor.end
        )
        if claim.source.url:
            context["original_url"] = claim.source.url + reading.text_fragment(claim.quote)
        context["json_ld"] = json_ld(self.request, claim)
        context["positions"] = claim.positions.select_related("dispute")
        return context


def json_ld(request, claim):
    """The claim's schema.org JSON-LD, as safe <script> content."""
    text = json.dumps(schema_org_claim(request, claim), ensure_ascii=False)
    # The same escapes as Django's json_script: no "</script>" can close the element early.
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))
