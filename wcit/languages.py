"""The site's languages: the URL prefix of each, and the links to a page in the others.

English, the default, is served at the unprefixed URLs the site had before it spoke other
languages (``/countries/se/``); the others under a prefix (``/fr/countries/se/``). The
prefix is the language code, except Simplified Chinese (``zh-hans``, Django's code and its
catalog's), which readers and the ITU call ``zh``: ``/zh/countries/se/``. Django's
``LocaleMiddleware`` already reads ``/zh/`` as ``zh-hans`` (the one supported variant).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import LocalePrefixPattern, URLResolver, translate_url
from django.utils import translation

# The URL prefix where it is not the language code.
URL_PREFIXES = {"zh-hans": "zh"}
# The BCP 47 tag (lang, hreflang) where it is not the code as Django writes it.
TAGS = {"zh-hans": "zh-Hans"}


def url_prefix(code):
    """The path segment of language ``code`` ('' for the default language)."""
    if code == settings.LANGUAGE_CODE:
        return ""
    return URL_PREFIXES.get(code, code)


def tag(code):
    """The BCP 47 tag of language ``code``, as ``lang`` and ``hreflang`` take it."""
    return TAGS.get(code, code)


class LanguagePrefix(LocalePrefixPattern):
    """Django's prefix pattern, with ``/zh/`` for zh-hans and none for English."""

    def __init__(self):
        super().__init__(prefix_default_language=False)

    @property
    def language_prefix(self):
        prefix = url_prefix(translation.get_language() or settings.LANGUAGE_CODE)
        return f"{prefix}/" if prefix else ""


def localized(*urls):
    """``urls`` in every language: Django's ``i18n_patterns`` with the site's prefixes."""
    return [URLResolver(LanguagePrefix(), list(urls))]


def alternates(request):
    """Context: the page in each language (the switcher's links, the hreflang alternates).

    ``languages``: (code, tag, name, url, home, current) for each language, ``url`` the
    same page in that language, ``home`` its home page. ``hreflang``: (tag, absolute URL)
    of each version and ``default_url`` the English one's, absolute as search engines
    require of alternates. ``localized``: whether the page has
    a version in each language (only then are there hreflang alternates, and the switcher
    goes to them; an error page sets it False in its own context, which wins over this one).
    """
    current = translation.get_language()
    path = request.get_full_path()
    urls = {}
    if getattr(request, "resolver_match", None) is not None:
        urls = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
    localized = len(set(urls.values())) == len(settings.LANGUAGES)
    return {
        "languages": [
            (code, tag(code), name, urls.get(code, home(code)), home(code), code == current)
            for code, name in settings.LANGUAGES
        ],
        "localized": localized,
        "hreflang": [
            (tag(code), request.build_absolute_uri(url)) for code, url in urls.items() if localized
        ],
        "default_url": request.build_absolute_uri(urls.get(settings.LANGUAGE_CODE, "/")),
    }


def home(code):
    """The home page's path in language ``code``."""
    prefix = url_prefix(code)
    return f"/{prefix}/" if prefix else "/"


def is_local(url):
    """Whether ``url`` is a path on this site (the switcher's ``next``), not another site's."""
    parts = urlsplit(url)
    return url.startswith("/") and not url.startswith("//") and not parts.scheme and "\\" not in url
