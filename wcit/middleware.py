"""Middleware that keeps hostile requests and database faults away from the pages.

- ``RequestLimitsMiddleware``: NUL bytes and over-long paths, query strings or
  parameter values answer 400 before any view or database sees them; public
  pages and the API answer only GET and HEAD (405 otherwise), and HEAD is
  answered as a GET without its body, so the API (whose routes are GET only)
  answers HEAD too. Each view takes only the query parameters it declares
  (``query_parameters``; ``multiple_parameters`` those given several values): a
  page redirects to itself without any other (``utm_source``, ``fbclid``, a typo),
  so that the page cache never keys on them, and the API and the downloads, read
  by programs, refuse them; a parameter given twice that takes one value is a 400.
- ``PermissionsPolicyMiddleware``: the ``Permissions-Policy`` header.
- ``ContentSecurityPolicyMiddleware``: django-csp's, its policy built once a process.
- ``DatabaseUnavailableMiddleware``: a database that is down or refusing
  answers 503 with Retry-After, in the site's layout, logged in one line
  (``wcit.unavailable``).
- ``HtmlGZipMiddleware``: pages compressed for clients that take gzip.
- ``LocaleMiddleware``: the language of the URL's prefix (English unprefixed).
- ``FirstVisitLanguageMiddleware``: ``/`` goes to the reader's language, once.
"""

import sys

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.http import (
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.middleware import locale
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, ngettext

from .problems import InvalidParameters, data_response, for_programs
from .unavailable import DATABASE_ERRORS, database_unavailable, render_503

SAFE_METHODS = ("GET", "HEAD")
# Where any method may be used: the admin's forms post, and it has its own login.
ALL_METHODS_PREFIXES = ("/admin/",)


def client_ip(request):
    """The client's address, as django-axes counts login failures by it.

    Behind DJANGO_PROXY_COUNT proxies that each append to X-Forwarded-For, the
    address the outermost one saw; entries further left are the client's to forge.
    """
    proxies = settings.PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _up_to(limit):
    """The values a length limit allows, in the reader's words."""
    return ngettext("up to %(n)s character", "up to %(n)s characters", limit) % {"n": limit}


def _problems(request):
    """(parameter, message, allowed) for each hostile part of the request."""
    path = request.path_info
    if "\x00" in path:
        yield "path", gettext("The address contains a NUL character."), []
    if len(path) > settings.MAX_PATH_LENGTH:
        yield (
            "path",
            gettext("The address is longer than %(n)s characters.")
            % {"n": settings.MAX_PATH_LENGTH},
            [_up_to(settings.MAX_PATH_LENGTH)],
        )
    query = request.META.get("QUERY_STRING", "")
    if len(query) > settings.MAX_QUERY_STRING_LENGTH:
        yield (
            "query string",
            gettext("The query string is longer than %(n)s characters.")
            % {"n": settings.MAX_QUERY_STRING_LENGTH},
            [_up_to(settings.MAX_QUERY_STRING_LENGTH)],
        )
        return
    for name, values in request.GET.lists():
        shown = name[:40].replace("\x00", "\\0")
        if "\x00" in name or any("\x00" in value for value in values):
            yield shown, gettext("The parameter contains a NUL character."), []
        elif any(len(value) > settings.MAX_PARAMETER_LENGTH for value in values):
            yield (
                shown,
                gettext("The value is longer than %(n)s characters.")
                % {"n": settings.MAX_PARAMETER_LENGTH},
                [_up_to(settings.MAX_PARAMETER_LENGTH)],
            )
    # A session or CSRF cookie is looked up in the database, which refuses NUL.
    if any("\x00" in value for value in request.COOKIES.values()):
        yield "cookie", gettext("A cookie contains a NUL character."), []


def _bad_request(request, problems):
    """The one 400 of every output (``wcit.problems``), in the format the path asks."""
    invalid = InvalidParameters(
        {"parameter": name, "message": message, "allowed": allowed}
        for name, message, allowed in problems
    )
    # "Start again" must not echo a hostile path back into the page.
    return data_response(request.path_info, invalid) or render(
        request,
        "400.html",
        {"problems": invalid.problems, "restart_url": "/", "localized": False},
        status=400,
    )


def _is_public(request):
    return not request.path_info.startswith(ALL_METHODS_PREFIXES)


def _parameter_problems(request, names, several, unknown):
    for name, values in request.GET.lists():
        if name in names and name not in several and len(values) > 1:
            yield (
                name,
                ngettext(
                    "Given %(n)s time: it takes one value.",
                    "Given %(n)s times: it takes one value.",
                    len(values),
                )
                % {"n": len(values)},
                [],
            )
    if for_programs(request.path_info):
        for name in unknown:
            yield name[:40], gettext("This address takes no such parameter."), list(names)


def _without(request, unknown):
    """The request's address without the parameters ``unknown``."""
    query = request.GET.copy()
    for name in unknown:
        del query[name]
    return f"{request.path}?{query.urlencode()}" if query else request.path


class RequestLimitsMiddleware:
    """400 for NUL bytes and over-long input; only GET and HEAD outside the admin; only the
    query parameters a view declares, each once unless it takes several."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = list(_problems(request))
        if problems:
            return _bad_request(request, problems)
        if not _is_public(request):
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            _drop_body(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Only the query parameters the view declares, each once unless it takes several.

        Checked here, once Django has resolved the view for its own use, not by resolving
        the path again before the page cache: the cache stores only 200s, so an address it
        holds passed this check when its page was stored, and a hit needs no check.
        """
        if not _is_public(request):
            return None
        view = getattr(view_func, "view_class", view_func)
        names = getattr(view, "query_parameters", ())
        several = getattr(view, "multiple_parameters", ())
        unknown = [name for name in request.GET if name not in names]
        problems = list(_parameter_problems(request, names, several, unknown))
        if problems:
            return _bad_request(request, problems)
        if unknown:
            return HttpResponsePermanentRedirect(_without(request, unknown))
        return None


def _drop_body(response):
    """Keep the headers, Content-Length included, of a GET response; drop its body."""
    if response.streaming:
        response.streaming_content = []
    else:
        response["Content-Length"] = str(len(response.content))
        response.content = b""


class PermissionsPolicyMiddleware:
    """Deny the browser features no page uses (camera, microphone, location, ...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, the settings' policy built once a process, not per response.

    Every page has the settings' policy: no template reads a nonce, no view uses django-csp's
    decorators (the embeds set their own header, which is left alone), and there is no
    report-only policy. django-csp builds the policy twice a response (about a tenth of a
    cached page's time, bench/RESULTS.md); here it is built once, and django-csp still
    answers whatever the settings or a response ask beyond that.
    """

    _OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built = (None, "")  # (the settings' policy, its header)

    def process_response(self, request, response):
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (
            HEADER in response
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (config or {}).get("EXCLUDE_URL_PREFIXES")
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._OWN_POLICY)
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # django-csp leaves Django's debug pages alone
        if self._built[0] is not config:
            self._built = (config, super().process_response(request, response).get(HEADER, ""))
        elif self._built[1]:
            response[HEADER] = self._built[1]
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503, not 500, when a view finds the database down or refusing connections."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None


def server_error(request):
    """handler500: a database fault met outside a view (in a middleware) is still a 503."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return render_503()
    return HttpResponseServerError(render_to_string("500.html"))


class HtmlGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its random padding against BREACH), for HTML pages only.

    The JSON and CSV twins are left to the proxy: their clients (scripts, the
    schemathesis checks) often do not decompress.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's: the language of the URL's prefix, English where there is none.

    An unprefixed page is English whatever the request says, so unlike Django's it does not
    say it varies on Accept-Language (a shared cache would keep a copy per header for
    nothing); only ``/`` does (``FirstVisitLanguageMiddleware``). Nor does it read the
    cookie or Accept-Language to set them aside, as Django's does on every request.
    """

    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class FirstVisitLanguageMiddleware:
    """``/`` redirects to the home page in the reader's language: the one the switcher's
    cookie names, else the first of Accept-Language the site speaks. Only ``/``: every other
    address names its language, and keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != "/" or request.method not in SAFE_METHODS:
            return self.get_response(request)
        # The cookie first, then Accept-Language, then English (Django's order).
        chosen = translation.get_language_from_request(request)
        if chosen == settings.LANGUAGE_CODE:
            response = self.get_response(request)
        else:
            with translation.override(chosen):
                response = HttpResponseRedirect(reverse("home"))
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
