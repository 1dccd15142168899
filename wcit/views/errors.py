"""The error pages: a 400 naming each bad parameter, a 404."""

from django.shortcuts import render

from ..problems import InvalidParameters


def bad_request(request, exception=None):
    """The 400 page, naming each bad parameter and its allowed values."""
    if not isinstance(exception, InvalidParameters):
        message = str(exception) if exception else "Bad request."
        exception = InvalidParameters([{"parameter": "request", "message": message}])
    return render(request, "400.html", {"problems": exception.problems}, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
