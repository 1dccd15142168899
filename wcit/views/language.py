"""The language switcher: remember the reader's choice, then show the page in it."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from ..languages import home, is_local


@never_cache
def set_language(request, code):
    """Set the language cookie to ``code`` and go to ``next`` (that page in ``code``).

    A link, not a form: it works without JavaScript, and public pages take GET only. The
    cookie decides where ``/`` goes on later visits (``FirstVisitLanguageMiddleware``).
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    target = request.GET.get("next", "")
    if not is_local(target):
        target = home(code)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


set_language.query_parameters = ("next",)
