"""The error pages: a 400 naming each bad parameter, a 404."""

from django.shortcuts import render

from ..problems import InvalidParameters


def bad_request(request, exception=None, restart_url=None):
    """The 400 page, naming each bad parameter and its allowed values; ``restart_url`` is
    where to start again (by default the page without its query)."""
    if not isinstance(exception, InvalidParameters):
        message = str(exception) if exception else "Bad request."
        exception = InvalidParameters([{"parameter": "request", "message": message}])
    context = {"problems": exception.problems, "restart_url": restart_url}
    return render(request, "400.html", context, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
