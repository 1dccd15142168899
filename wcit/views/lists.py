"""The lists: FilterViews whose query string filters them, with their CSV and JSON twins."""

from django.http import Http404
from django.utils.functional import classproperty
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.generic import ListView
from django_filters.views import FilterView

from .. import cache
from ..filters import (
    SORT_CHOICES,
    ClaimFilter,
    CountryFilter,
    DisputeFilter,
    FacetedFilterSet,
    SourceFilter,
    SpeakerFilter,
    query_parameters,
    validated,
)
from ..formats import by_name, collation_key
from ..models import (
    Claim,
    ClaimEvent,
    Clause,
    Country,
    Dispute,
    KeyFigure,
    Source,
    Speaker,
    with_concerns,
)
from ..problems import InvalidParameters, csv_response, json_response
from ..schemas import (
    DOWNLOAD_PAGE_SIZE,
    ClaimOut,
    CountryOut,
    DisputeOut,
    SourceOut,
    SpeakerOut,
    paginate,
)
from . import downloads
from .errors import bad_request
from .figures import status_map, timeline


class StrictFilterMixin:
    """Refuse an invalid filter or page value with a 400 instead of an unfiltered list.

    The same view answers its CSV and JSON twins (``format`` in the URL) with
    the rows its filters select, in the API's schema (``export_schema``) and
    pagination.
    """

    @classproperty
    def query_parameters(cls):
        """The parameters the list takes (``wcit.middleware`` holds requests to them)."""
        return query_parameters(cls.filterset_class)[0]

    @classproperty
    def multiple_parameters(cls):
        """Those of them that take several values."""
        return query_parameters(cls.filterset_class)[1]

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
                count = cache.per_version(filterset.count)
                page = paginate(request, filterset.qs, DOWNLOAD_PAGE_SIZE, count=count)
                return downloads.respond(request, export_format, self.export_schema, page)
            return super().get(request, *args, **kwargs)
        except InvalidParameters as error:
            if export_format == "csv":
                return csv_response(error)
            if export_format == "json":
                return json_response(error)
            return bad_request(request, error)

    def paginate_queryset(self, queryset, page_size):
        value = self.request.GET.get(self.page_kwarg, "")
        try:
            # Django's paginator would take “+1” or a full-width “１” for 1.
            if value not in ("", "last") and not (value.isascii() and value.isdigit()):
                raise Http404(gettext("That page number is not a whole number."))
            return super().paginate_queryset(queryset, page_size)
        except Http404 as error:
            raise InvalidParameters(
                [
                    {
                        "parameter": self.page_kwarg,
                        "message": gettext("“%(value)s” is not a page of this list: %(error)s")
                        % {"value": value, "error": error},
                        "allowed": [gettext("a page number from 1 to the last page"), "last"],
                    }
                ]
            ) from error

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = cache.per_version(self.get_filterset(self.get_filterset_class()).count)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["export_query"] = f"?{query.urlencode()}" if query else ""
        filterset = context["filter"]
        if isinstance(filterset, FacetedFilterSet):
            context["any_filter"] = any(filterset.form.cleaned_data.values())
            # The chips, form and facet counts: the same for every page of a selection.
            context["filter_block"] = cache.per_version(filterset.block)
        return context


class CountryListView(StrictFilterMixin, FilterView):
    filterset_class = CountryFilter
    export_schema = CountryOut

    def get_queryset(self):
        countries = Country.objects.with_status_reports()
        # A download gives exact counts; the page counts up to COUNT_CAP, once per version.
        return countries.with_claim_counts() if self.kwargs.get("format") else countries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = [status for status, _label in Country.MAP_STATUSES]
        context["countries"] = sorted(
            context["object_list"],
            key=lambda country: (order.index(country.map_status()), collation_key(country.name)),
        )
        # The map and its counts are of every country the sources name, filtered or not.
        every = context["countries"] if not self.request.GET else list(self.get_queryset())
        with_counts(context["countries"], Country)
        context["map"] = status_map(every)
        context["named"] = len(every)
        context["compare_choices"] = by_name(every, lambda country: country.name)
        context["with_status"] = sum(country.map_status() != "named" for country in every)
        context["refused"] = sum(country.map_status() in Country.REFUSALS for country in every)
        context["refused_query"] = urlencode({"status": Country.REFUSALS}, doseq=True)
        context["totals"] = KeyFigure.objects.signature_totals()
        context["closing"] = closing = ClaimEvent.objects.closing()
        for country in context["countries"]:
            for report in country.status_reports:
                report.close = closing.relation(report.source.published)
        context["timeline"], context["other_dates"] = cache.per_version(timeline)
        return context


class ClauseListView(ListView):
    def get_queryset(self):
        return Clause.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_counts(context["object_list"], Clause)
        return context


def with_counts(rows, model):
    """Set each row's ``claim_count``, counted up to COUNT_CAP once per data version: a list
    of rows costs the same whatever the number of claims (``capped`` shows "1,000+")."""
    counts = cache.per_version(model.objects.all().claim_counts)
    for row in rows:
        row.claim_count = counts.get(row.pk, 0)
    return rows


class SourceListView(StrictFilterMixin, FilterView):
    filterset_class = SourceFilter
    export_schema = SourceOut

    def get_queryset(self):
        return Source.objects.with_claim_counts().select_related("author", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tree"] = Source.tree(context["object_list"])
        return context


class SpeakerListView(StrictFilterMixin, FilterView):
    filterset_class = SpeakerFilter
    export_schema = SpeakerOut

    def get_queryset(self):
        return Speaker.objects.with_claim_counts().select_related("country").with_source_counts()


class ClaimListView(StrictFilterMixin, FilterView):
    filterset_class = ClaimFilter
    # A screenful of rows to read, not to scroll past: each shows a summary and a quote.
    paginate_by = 25
    export_schema = ClaimOut

    def get_queryset(self):
        claims = Claim.objects.published()
        # A download gives each claim whole, as the API does; the page shows rows. In the
        # order ClaimFilter gives them (by default, the most answered first).
        return claims.for_data() if self.kwargs.get("format") else claims.for_rows()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sort_label"] = dict(SORT_CHOICES).get(context["filter"].form.cleaned_data["sort"])
        return context


class DisputeListView(StrictFilterMixin, FilterView):
    filterset_class = DisputeFilter
    paginate_by = 20
    export_schema = DisputeOut

    def get_queryset(self):
        # A download gives every claim of each side and the common ground by id; the page
        # shows who holds each side and where.
        if self.kwargs.get("format"):
            return Dispute.objects.for_list()
        return Dispute.objects.for_rows()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = with_concerns(list(page.object_list))
        return context
