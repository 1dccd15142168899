"""The search page: the matching pages, then claims and source passages."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .. import search
from ..models import Claim, Source
from .lists import ClaimListView

# Search shows the best claims, as many as a page of the claim list, and links to them all.
SEARCH_LIMIT = ClaimListView.paginate_by
# The badge of each kind of page a search finds (``search.page_hits`` names them in English).
PAGE_KINDS = {
    "Country": _("Country"),
    "Clause": _("Clause"),
    "Speaker": _("Speaker"),
    "Source": _("Source"),
    "Dispute": _("Dispute"),
}


def search_page(request):
    """Search claims and source passages; hits link to their passages. (A query longer than
    the request limits allow never gets here: the middleware answers it with a 400.)"""
    text = request.GET.get("q", "").strip()
    context = {"q": text, "terms": search.terms(text)}
    if context["terms"]:
        claims = Claim.objects.published().for_rows()
        context["claim_hits"] = search.claim_hits(claims, text, limit=SEARCH_LIMIT)
        context["claim_limit"] = SEARCH_LIMIT
        context["passage_hits"] = search.passage_hits(Source.objects.all(), text)
        context["page_hits"] = [
            (PAGE_KINDS.get(kind, kind), obj) for kind, obj in search.page_hits(text)
        ]
    return render(request, "wcit/search.html", context)


# What the search page reads (wcit.middleware refuses any other parameter).
search_page.query_parameters = ("q",)
