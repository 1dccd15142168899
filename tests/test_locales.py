"""Dates, numbers, country names and sorting as each language writes them; English as before."""

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

from wcit import formats
from wcit.pictures import bar_chart

pytestmark = pytest.mark.django_db

SOURCE = "/sources/cdt-wcit-watch-day-11/"  # published 13 December 2012


def html(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(
    "prefix, full",
    [
        ("", "13 December 2012"),
        ("/fr", "13 décembre 2012"),
        ("/ru", "13 декабря 2012 г."),
        ("/ar", "13 ديسمبر، 2012"),
        ("/es", "13 de diciembre de 2012"),
        ("/zh", "2012年12月13日"),
    ],
)
def test_a_sources_date_is_written_in_full_as_its_language_writes_it(client, prefix, full):
    page = html(client.get(prefix + SOURCE))
    assert page.select_one(".byline time").get_text() == full


@pytest.mark.parametrize(
    "language, short",
    [("en", "13 Dec 2012"), ("fr", "13 décembre 2012"), ("ru", "13 декабря 2012 г.")],
)
def test_short_dates_stay_abbreviated_in_english_only(language, short):
    from datetime import date

    with translation.override(language):
        assert formats.short_date(date(2012, 12, 13)) == short
        assert (
            formats.month_year(date(2012, 12, 1))
            == {
                "en": "December 2012",
                "fr": "décembre 2012",
                "ru": "Декабрь 2012 г.",
            }[language]
        )


@pytest.mark.parametrize(
    "language, grouped",
    [("en", "1950"), ("fr", "1\xa0950"), ("ru", "1\xa0950"), ("es", "1\xa0950")],
)
def test_counts_are_grouped_as_the_language_groups_digits(language, grouped):
    with translation.override(language):
        markup = bar_chart({"a": 1950, "b": 3}, {}, "t")
    numbers = [s.get_text() for s in BeautifulSoup(markup, "html.parser").select(".wcit-bar-n")]
    assert numbers == [grouped, "3"]


@pytest.mark.parametrize(
    "prefix, name", [("", "Sweden"), ("/fr", "Suède"), ("/ru", "Швеция"), ("/ar", "السويد")]
)
def test_a_countrys_name_is_the_iso_name_in_the_pages_language(client, prefix, name):
    page = html(client.get(f"{prefix}/countries/se/"))
    assert name in page.h1.get_text()
    assert name in page.select_one(".breadcrumbs").get_text()


def country_menu(client, prefix):
    page = html(client.get(f"{prefix}/claims/"))
    return [o.get_text() for o in page.select("select[name=country] option") if o.get("value")]


def test_french_menus_sort_accented_names_among_their_letters(client):
    """Code points put É after Z; the Unicode collation puts it with E."""
    names = country_menu(client, "/fr")
    assert names.index("Danemark") < names.index("Émirats arabes unis") < names.index("France")
    assert names.index("États-Unis d'Amérique") < names.index("France")
    assert names == formats.by_name(names)


@pytest.mark.parametrize("prefix, first", [("/ru", "Австралия"), ("/ar", None), ("", "Algeria")])
def test_russian_and_arabic_menus_follow_their_alphabets(client, prefix, first):
    names = country_menu(client, prefix)
    assert len(names) == 28
    assert names == formats.by_name(names)
    if first:
        assert names[0] == first
    if prefix == "/ar":
        # Arabic names, in Arabic alphabetical order: none starts with a Latin letter.
        assert all("\u0600" <= name[0] <= "\u06ff" for name in names)


def test_the_collation_orders_names_as_readers_look_for_them():
    assert formats.by_name(["Zambie", "Égypte", "egypte", "Allemagne"]) == [
        "Allemagne",
        "egypte",
        "Égypte",
        "Zambie",
    ]
