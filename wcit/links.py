"""Links to the detail pages, built without a ``reverse()`` for each.

A list links every row to its page: a hundred or more ``reverse()`` calls a request on the
dispute list and the country pages, each matching the URL patterns again. A detail page's
URL is its key between a fixed beginning and end, which depend only on the URL's name, the
language (its prefix, ``/fr/``), the script prefix and the URLconf: ``reverse()`` finds them
once for each and the process keeps them. They hold no data, so nothing here goes stale.
"""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

# A key that each detail route's converter (int, slug, str) takes and that no other part of
# its URL contains.
PLACEHOLDER = "2147483647"
# The characters reverse() leaves unquoted in a path (RFC 3986's pchar).
SAFE = RFC3986_SUBDELIMS + "/~:@"


@lru_cache(maxsize=256)
def _around(name, language, script_prefix, urlconf):
    """The URL of page ``name`` before and after its key. ``reverse()`` reads the
    language, script prefix and URLconf from the request's state and the settings (a test
    may override ROOT_URLCONF): the arguments key it."""
    url = reverse(name, args=[PLACEHOLDER])
    before, _found, after = url.partition(PLACEHOLDER)
    return before, after


def detail_url(name, key):
    """``reverse(name, args=[key])`` for a route whose one argument is a key (a slug, a
    lower-case country code, an id), as a fixed beginning and end around it."""
    urlconf = get_urlconf(settings.ROOT_URLCONF)
    before, after = _around(name, get_language(), get_script_prefix(), urlconf)
    return f"{before}{quote(str(key), safe=SAFE)}{after}"
