"""The error pages: a 400 naming each bad parameter (in the format the path asks), a 404."""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext

from ..problems import InvalidParameters, data_response


def bad_request(request, exception=None, restart_url=None):
    """The 400 page, naming each bad parameter and its allowed values; ``restart_url`` is
    where to start again (by default the page without its query)."""
    if isinstance(exception, DisallowedHost):
        problem = {
            "parameter": "Host",
            "message": gettext("This site does not answer to that name."),
        }
        exception = InvalidParameters([problem])
    elif not isinstance(exception, InvalidParameters):
        message = str(exception) if exception else gettext("Bad request.")
        exception = InvalidParameters([{"parameter": "request", "message": message}])
    response = data_response(request.path_info, exception)
    if response:
        return response
    # An error page has no version in each language to offer (hreflang): only their homes.
    context = {"problems": exception.problems, "restart_url": restart_url, "localized": False}
    try:
        request.get_host()
    except DisallowedHost:
        # The page names its own absolute URL, which needs a host this site answers to:
        # rendered without the request, as the 500 and 503 pages are.
        return HttpResponseBadRequest(
            render_to_string("400.html", {**context, "restart_url": restart_url or "/"})
        )
    return render(request, "400.html", context, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"localized": False}, status=404)
