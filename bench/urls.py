from django.http import HttpResponse
from django.urls import path
from django.views.generic import ListView

from wcit import urls
from wcit.models import Claim
from wcit.urls import handler400, handler404, handler500  # noqa: F401


def trivial(request):
    """The least a Django view can do, through the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


class PlainClaimList(ListView):
    """What a plain ``ListView`` of the claim list's rows costs: the same 25 rows as
    ``/claims/?country=se`` (published claims about Sweden, by id), with their source and
    speaker joined, in the site's layout; no filters, facets or answer counts."""

    paginate_by = 25
    template_name = "bench/claim_list.html"

    def get_queryset(self):
        return (
            Claim.objects.published()
            .filter(countries__code="SE")
            .select_related("source", "speaker")
            # The texts and search vectors are large and no row shows them.
            .defer("search_document", "source__text", "source__search_document")
            .order_by("id")
        )


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/claims/", PlainClaimList.as_view()),
    # The site's own patterns, not include()d: its pages are i18n_patterns, which only a
    # root URLconf may hold.
    *urls.urlpatterns,
]
