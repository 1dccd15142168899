"""The six languages: URLs, the first visit's redirect, the switcher, alternates, the cache."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from wcit.models import Clause

pytestmark = pytest.mark.django_db

# The six versions of each page: (prefix, lang, dir).
VERSIONS = [
    ("", "en", "ltr"),
    ("/ar", "ar", "rtl"),
    ("/es", "es", "ltr"),
    ("/fr", "fr", "ltr"),
    ("/ru", "ru", "ltr"),
    ("/zh", "zh-Hans", "ltr"),
]
PAGES = [
    "/",
    "/countries/se/",
    "/clauses/5a/",
    "/disputes/",
    "/disputes/what-made-the-conference-break-up/",
    "/sources/",
    "/sources/cdt-wcit-watch-day-11/",
    "/claims/",
    "/claims/7/",
    "/search/?q=security",
]


def html(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("prefix, lang, direction", VERSIONS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_in_every_language_with_its_lang_and_dir(
    client, page, prefix, lang, direction
):
    response = client.get(prefix + page)
    assert response.status_code == 200
    root = html(response).html
    assert (root["lang"], root["dir"]) == (lang, direction)
    assert response["Content-Language"] == ("zh-hans" if lang == "zh-Hans" else lang)


@pytest.mark.parametrize(
    "url", ["/zh-hans/", "/en/countries/se/", "/de/countries/se/", "/fr/api/claims/"]
)
def test_only_the_sites_prefixes_name_a_language(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/api/claims/", "/healthz", "/claims.csv", "/claims/7/cite.bib", "/favicon.ico"]
)
def test_data_and_files_have_one_address_in_every_language(client, url):
    assert client.get(url).status_code in (200, 302)
    assert client.get("/fr" + url).status_code == 404


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("fr-CH, fr;q=0.9, en;q=0.8", "/fr/"),
        ("zh-CN,zh;q=0.9", "/zh/"),
        ("ar", "/ar/"),
        ("de-DE, ru;q=0.5", "/ru/"),
    ],
)
def test_a_first_visit_to_the_home_page_goes_to_the_readers_language(client, accept, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize("accept", ["", "en-US,en;q=0.9", "de-DE"])
def test_a_reader_of_english_or_of_no_language_of_the_site_stays_at_the_home_page(client, accept):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept) if accept else client.get("/")
    assert response.status_code == 200
    assert html(response).html["lang"] == "en"
    assert "Accept-Language" in response["Vary"]


def test_only_the_home_page_redirects(client):
    response = client.get("/countries/se/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert html(response).html["lang"] == "en"
    # An unprefixed page is English whatever the request says: it does not vary on it.
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_switchers_choice_decides_later_visits_to_the_home_page(client):
    client.get("/")  # warm the page cache with the English home
    switched = client.get("/language/en/", {"next": "/"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert switched.status_code == 302 and switched["Location"] == "/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # Accept-Language says French, the reader chose English: English, from the cache.
    again = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert again.status_code == 200
    assert html(again).html["lang"] == "en"
    # Choosing Russian: the home page now goes there, whatever Accept-Language says.
    client.get("/language/ru/", {"next": "/ru/"})
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/ru/"


def test_every_page_offers_the_same_page_in_each_language(client):
    response = client.get("/fr/countries/se/?unused=1", follow=True)
    links = html(response).select("nav.languages a")
    assert [link["lang"] for link in links] == ["ar", "en", "es", "fr", "ru", "zh-Hans"]
    assert [link["href"] for link in links] == [
        f"/language/{code}/?next={prefix}/countries/se/"
        for code, prefix in [
            ("ar", "/ar"),
            ("en", ""),
            ("es", "/es"),
            ("fr", "/fr"),
            ("ru", "/ru"),
            ("zh-hans", "/zh"),
        ]
    ]
    assert [link.get("aria-current") for link in links] == [None, None, None, "true", None, None]
    # Following a link sets the cookie and shows that page in the language, without script.
    landed = client.get(links[5]["href"], follow=True)
    assert landed.redirect_chain == [("/zh/countries/se/", 302)]
    assert html(landed).html["lang"] == "zh-Hans"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_the_switcher_keeps_the_query_string(client):
    links = html(client.get("/claims/?country=se")).select("nav.languages a")
    assert links[3]["href"] == "/language/fr/?next=/fr/claims/%3Fcountry%3Dse"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_switcher_goes_nowhere_but_this_site(client, target):
    response = client.get("/language/fr/", {"next": target})
    assert response["Location"] == "/fr/"


def test_the_switcher_knows_only_the_sites_languages(client):
    assert client.get("/language/de/", {"next": "/"}).status_code == 404


def test_hreflang_alternates_name_every_version_of_the_page(client):
    soup = html(client.get("/ar/clauses/5a/"))
    alternates = {
        link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate][hreflang]")
    }
    # Absolute: search engines (and Lighthouse's hreflang audit) refuse relative alternates.
    site = "http://testserver"
    assert alternates == {
        "ar": f"{site}/ar/clauses/5a/",
        "en": f"{site}/clauses/5a/",
        "es": f"{site}/es/clauses/5a/",
        "fr": f"{site}/fr/clauses/5a/",
        "ru": f"{site}/ru/clauses/5a/",
        "zh-Hans": f"{site}/zh/clauses/5a/",
        "x-default": f"{site}/clauses/5a/",
    }


def test_a_404_offers_each_languages_home_and_no_alternates(client):
    soup = html(client.get("/fr/countries/zz/"))
    assert soup.html["lang"] == "fr"
    assert not soup.select("link[rel=alternate][hreflang]")
    assert soup.select("nav.languages a")[0]["href"] == "/language/ar/?next=/ar/"


def test_the_cache_never_serves_one_languages_page_to_another_languages_reader(client):
    """Each version stored once and then served from the cache, to its own readers only:
    whatever the reader's cookie or Accept-Language, the URL's language is the page's."""
    for prefix, _lang, _dir in VERSIONS:
        assert client.get(prefix + "/countries/se/")["X-Cache"] == "miss"
    for reader, _lang, _dir in VERSIONS:
        code = reader.strip("/") or "en"
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        for prefix, lang, _dir in VERSIONS:
            response = client.get(prefix + "/countries/se/", HTTP_ACCEPT_LANGUAGE=code)
            assert response["X-Cache"] == "hit"
            assert html(response).html["lang"] == lang, (reader, prefix)


def test_the_cache_keys_on_the_language_itself(client, monkeypatch):
    """Were an address ever to serve two languages, each would be stored apart."""
    from django.core.cache import cache

    client.get("/fr/countries/se/")
    keys = [key for key in cache._cache if ":page:" in key]  # LocMemCache's own store
    assert keys and all(":fr:" in key for key in keys)


# The pages the interface's marked strings reach beyond PAGES: pictures, lists, comparisons,
# feeds, the 400 page. Each renders in every language (lazy labels, plural forms, dates).
MORE_PAGES = [
    ("/countries/", 200),
    ("/countries/by-clause/", 200),
    ("/countries/compare/?c=se&c=us&c=ru", 200),
    ("/disputes/what-made-the-conference-break-up/", 200),
    ("/speakers/", 200),
    ("/speakers/cdt/", 200),
    ("/clauses/", 200),
    ("/download/", 200),
    ("/claims/7/embed/", 200),
    ("/claims/feed/?country=se", 200),
    ("/countries/se/feed/", 200),
    ("/claims/?kind=nonsense", 400),
    ("/countries/compare/?c=se", 400),
]


@pytest.mark.parametrize("prefix, lang, direction", VERSIONS)
@pytest.mark.parametrize("page, status", MORE_PAGES)
def test_the_marked_pages_render_in_every_language(client, page, status, prefix, lang, direction):
    response = client.get(prefix + page)
    assert response.status_code == status
    if response["Content-Type"].startswith("text/html"):
        assert html(response).html["lang"] == lang


@pytest.mark.parametrize("prefix, direction", [("/ar", "ltr"), ("/fr", None), ("", None)])
def test_english_quotes_run_left_to_right_in_arabic_pages(client, prefix, direction):
    """In an Arabic page the sources' English is isolated and left to right; elsewhere the
    page's direction already is, and English pages say nothing of language at all."""
    page = html(client.get(f"{prefix}/claims/7/"))
    quote = page.select_one("blockquote.in-context")
    assert quote.get("dir") == direction
    assert quote.get("lang") == (None if prefix == "" else "en")


@pytest.mark.parametrize(
    "url, english",
    [
        ("/clauses/5b/", "Article 5B: Unsolicited bulk electronic communications"),
        (
            "/sources/cdt-wcit-watch-day-11/",
            "WCIT Watch Day 11: We Cannot Compromise on the Internet",
        ),
    ],
)
def test_breadcrumbs_mark_english_labels_in_arabic_and_stay_bare_in_english(client, url, english):
    """A label not yet translated (the clause's Arabic title cleared here; a source's title
    is never translated) shows in English, marked as such, in an Arabic page."""
    Clause.objects.filter(code="5b").update(title_ar=None)
    crumbs = html(client.get(url)).select_one(".breadcrumbs")
    assert crumbs.select("span") == []
    assert crumbs.get_text().endswith(english)
    span = html(client.get("/ar" + url)).select_one(".breadcrumbs span")
    assert (span.get("lang"), span.get("dir")) == ("en", "ltr")


def test_untranslated_labels_in_running_text_are_marked_english_in_other_languages(client):
    """A clause's description with no translation yet, in Arabic."""
    Clause.objects.filter(code="5b").update(description_ar=None)
    spans = html(client.get("/ar/clauses/5b/")).select("main p .badge + span[lang=en]")
    assert spans and spans[0].get("dir") == "ltr"
    english = html(client.get("/clauses/5b/")).select_one("main p .badge").parent
    assert not english.select("span[lang]")
