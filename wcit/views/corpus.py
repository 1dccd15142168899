"""The whole corpus as files: the /download/ page, and the ZIP and SQLite files it offers."""

from contextlib import suppress

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _

from .. import bundle, cache

# What each file is, on the download page.
ABOUT = {
    "zip": _(
        "The fixtures as the project keeps them (JSON, loadable into wcit), the five source "
        "documents byte for byte, a CSV file per table, and a README with the version and what "
        "is known of the sources' licences."
    ),
    "sqlite": _(
        "A table per kind of record, each key column a foreign key: opens in Datasette or "
        "any SQLite client."
    ),
}


def download(request):
    """The two files: what they hold, their sizes, the corpus version."""
    built = None
    if settings.SHARED_CACHE:  # else each download is built when asked for: no size yet
        with suppress(bundle.NotReady):  # then the page says they are being built
            built = bundle.find(_base(request))
    response = render(request, "wcit/download.html", _context(built))
    if not (built and built.current):
        # Not the files of this data version: the page must not be cached under it.
        add_never_cache_headers(response)
    return response


def _context(built):
    files = [
        {
            "kind": kind,
            "label": spec.label,
            "name": built.files[kind][0].name if built else f"{bundle.NAME}.{spec.suffix}",
            "url": reverse(f"download-{kind}"),
            "size": built.files[kind][1] if built else None,
            "about": ABOUT[kind],
        }
        for kind, spec in bundle.KINDS.items()
    ]
    tables = [(table, built.counts[table.name] if built else None) for table in bundle.TABLES]
    context = {"files": files, "built": built, "tables": tables, "shared": settings.SHARED_CACHE}
    if built:
        context["changed"] = bundle.Edition(built.version, None).changed
    return context


def download_file(request, kind):
    """The ZIP or the SQLite file of the current data version, as an attachment named with
    its version; 304 while the client's copy is of that version."""
    spec = bundle.KINDS[kind]
    if settings.SHARED_CACHE:
        # Before building anything: a client holding this version needs nothing else.
        version = cache.data_version()
        not_modified = get_conditional_response(
            request, etag=f'"{version}"', last_modified=version // 1_000_000
        )
        if not_modified is not None:
            return _validated(not_modified, version)
    try:
        built = bundle.find(_base(request))
    except bundle.NotReady:
        response = render(request, "wcit/download.html", _context(None), status=503)
        response["Retry-After"] = str(settings.RETRY_AFTER)
        add_never_cache_headers(response)
        return response
    if built.shared and not built.current:
        # The previous version, while the current one is built: the client may hold it.
        not_modified = get_conditional_response(request, etag=f'"{built.version}"')
        if not_modified is not None:
            return _validated(not_modified, built.version)
    response = FileResponse(
        bundle.open_file(built, kind),
        as_attachment=True,
        filename=built.files[kind][0].name,
        content_type=spec.content_type,
    )
    if not built.shared:
        response["Cache-Control"] = "no-store"
        return response
    return _validated(response, built.version)


def _validated(response, version):
    response["ETag"] = f'"{version}"'
    response["Last-Modified"] = http_date(version // 1_000_000)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


def _base(request):
    """The site's address, which the files' links use: scheme and host, no path."""
    return request.build_absolute_uri("/").rstrip("/")
