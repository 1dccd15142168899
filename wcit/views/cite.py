"""The "Cite" block of a claim, source, dispute or clause page, and its downloads.

The access date is the day the record is made. A page is cached per data version, so
on a page it is the day the page was generated, and the block says so; the downloads
(``cite.bib``, ``cite.ris``, ``cite.json``) are never cached and carry the day they are
fetched. The corpus version is the data version (``wcit.cache.data_version``): it
changes with every change to the data, curators' edits included, which a commit of the
fixtures would not show, and it is the same value as the page's ETag and cache key.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from .. import cache, citations
from ..models import Claim, Clause, Dispute, Source

FORMATS = {
    "bib": (citations.bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (citations.ris, "application/x-research-info-systems; charset=utf-8"),
    "json": (citations.csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
}
DOWNLOAD_NAMES = [("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")]


def corpus_version():
    """The data version, or None while the shared cache is away: the page is then served
    uncached, and its citation names no version rather than fail."""
    try:
        return cache.data_version()
    except Exception:  # noqa: BLE001 - a cache outage must not take the site down
        return None


def record_of(request, obj, version):
    """The CSL-JSON record of ``obj`` as of today and data version ``version``."""
    permalink = request.build_absolute_uri(obj.get_absolute_url())
    return citations.record(obj, permalink, timezone.localdate(), version)


def cite_context(request, obj):
    """What the "Cite" block and the page's meta tags show of ``obj``."""
    version = corpus_version()
    record = record_of(request, obj, version)
    name = f"{type(obj).__name__.lower()}-cite"
    key = obj.pk if isinstance(obj, Claim) else obj.key
    return {
        "record": record,
        "renderings": citations.render(record),
        "meta": citations.meta_tags(record),
        "accessed": timezone.localdate(),
        "version": version,
        "downloads": [(reverse(name, args=[key, ext]), label) for ext, label in DOWNLOAD_NAMES],
    }


def _download(request, obj, fmt):
    write, content_type = FORMATS[fmt]
    record = record_of(request, obj, corpus_version())
    response = HttpResponse(write(record), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{record["id"]}.{fmt}"'
    # Never stored: the access date in it is the day it is fetched.
    response["Cache-Control"] = "no-store"
    return response


def claim_cite(request, pk, fmt):
    """A published claim's citation as a file."""
    claim = get_object_or_404(
        Claim.objects.published().select_related("speaker", "source__author"), pk=pk
    )
    return _download(request, claim, fmt)


def source_cite(request, slug, fmt):
    """A source's citation as a file."""
    return _download(
        request, get_object_or_404(Source.objects.select_related("author"), slug=slug), fmt
    )


def dispute_cite(request, slug, fmt):
    """A dispute's citation as a file."""
    return _download(request, get_object_or_404(Dispute, slug=slug), fmt)


def clause_cite(request, code, fmt):
    """A clause's citation as a file."""
    return _download(request, get_object_or_404(Clause, code=code), fmt)
