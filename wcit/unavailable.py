"""The answer while the database is away: 503 with Retry-After, in the site's layout (or the
API's JSON), logged in one line. The middleware gives it when a view meets the fault, the
page cache when it cannot read the data version."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("wcit.faults")

DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(request, error):
    """The 503 page: the site's layout, no database query, Retry-After; logged in one line."""
    logger.warning(
        "Database unavailable, answered 503: %s %s (%s: %s)",
        request.method,
        request.path,
        type(error).__name__,
        " ".join(str(error).split())[:200],
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"The database is unavailable: retry in {settings.RETRY_AFTER} seconds."},
            status=503,
        )
        response["Retry-After"] = str(settings.RETRY_AFTER)
        response["Cache-Control"] = "no-store"
    else:
        response = render_503()
    # Logged above in one line: Django's request logger would log it again.
    response._has_been_logged = True
    return response


def render_503():
    """The 503 response; its template needs neither the request nor the database."""
    html = render_to_string("503.html", {"retry_after": settings.RETRY_AFTER})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
