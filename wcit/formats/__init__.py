"""Date and number formats where Django's own for a language are not the site's.

The site writes dates two ways: in full where a date stands alone ("13 December 2012", a
source's date, a citation's access date) and short in lists and pictures ("13 Dec 2012").
English keeps exactly those (``j F Y``, and en_GB's ``DATE_FORMAT``, ``j M Y``); every other
language writes both as its own ``DATE_FORMAT`` ("13 décembre 2012", "13 декабря 2012 г.",
"2012年12月13日"), since an abbreviated month is not how French or Chinese write a date and
Django's short forms elsewhere are numeric (13/12/2012). Months alone are ``YEAR_MONTH_FORMAT``
("December 2012", "2012年12月").
"""

import functools

from django.utils import translation
from django.utils.formats import date_format, number_format

# English's full date; en_GB's DATE_FORMAT (wcit/formats/en) is the short one, "13 Dec 2012".
ENGLISH_LONG_DATE = "j F Y"
ENGLISH_LONG_DATETIME = "j F Y, H:i"


def _english():
    return (translation.get_language() or "en").split("-")[0] == "en"


def long_date(value):
    """A date in full, as the page's language writes it: 13 December 2012, 13 décembre 2012."""
    return date_format(value, ENGLISH_LONG_DATE if _english() else "DATE_FORMAT")


def long_datetime(value):
    """A date and time of day in full: 13 December 2012, 14:05; 13 décembre 2012 14:05."""
    return date_format(value, ENGLISH_LONG_DATETIME if _english() else "DATETIME_FORMAT")


def short_date(value):
    """A date in a list or picture: 13 Dec 2012 in English, the language's date elsewhere."""
    return date_format(value, "DATE_FORMAT")


def month_year(value):
    """A month: December 2012, décembre 2012, 2012年12月."""
    return date_format(value, "YEAR_MONTH_FORMAT")


def number(value):
    """A count as the page's language groups its digits: 1 950 in French, 1.950 in Spanish.
    English as before, digits ungrouped (the site's counts are mostly under a thousand)."""
    if _english():
        return str(value)
    return number_format(value, force_grouping=True)


@functools.cache
def _collator():
    import pyuca  # the Default Unicode Collation Element Table, read once (0.4 s)

    return pyuca.Collator()


def collation_key(text):
    """The key that sorts ``text`` as the Unicode Collation Algorithm does: Égypte between
    Allemagne and Suède (not after Zambie, as code points put it), case and accents second to
    the letters, Cyrillic and Arabic in their alphabets' order. Chinese names fall back to
    the table's order of the characters (radical and stroke), not pinyin: that needs ICU's
    tailoring, which has no wheel on PyPI."""
    return _collator().sort_key(str(text))


def by_name(items, name=str):
    """``items`` sorted by ``name(item)`` in the reader's collation (``collation_key``)."""
    return sorted(items, key=lambda item: collation_key(name(item)))
