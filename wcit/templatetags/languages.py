"""The page's language as HTML names it, with or without a request (the 500 and 503 pages)."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .. import formats
from ..languages import tag

register = template.Library()


@register.filter
def bcp47(code):
    """``zh-hans`` -> ``zh-Hans``: the tag ``lang`` and ``hreflang`` take."""
    return tag(code)


def _english():
    """The attributes of English words in a page of another language: ` lang="en"`, and in a
    right-to-left page ` dir="ltr"` too, so the quote runs left to right, isolated from the
    Arabic around it (the HTML rendering rules give an element with ``dir`` its own bidi
    isolate), its punctuation where English puts it."""
    if translation.get_language_bidi():
        return mark_safe(' lang="en" dir="ltr"')
    return mark_safe(' lang="en"')


@register.simple_tag
def source_lang():
    """` lang="en"` on an element quoting the sources (their text, claims' quotes and summaries,
    labels with no translation yet) in a page of another language, with ` dir="ltr"` in a
    right-to-left one; nothing in English pages."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return _english() if code.split("-")[0] != "en" else ""


@register.simple_tag
def label_lang(obj, field):
    """` lang="en"` where ``obj``'s curated ``field`` shows in English for want of a
    translation into the page's language (django-modeltranslation falls back to English),
    with ` dir="ltr"` in a right-to-left page."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    if code.split("-")[0] == "en":
        return ""
    translated = getattr(obj, f"{field}_{code.replace('-', '_')}", None)
    return "" if translated else _english()


@register.simple_tag
def label(obj, field, truncate=None):
    """``obj``'s curated ``field`` where it stands in running text (a breadcrumb): in a span
    marked English where it has no translation yet, bare otherwise (English pages as before).
    ``truncate`` cuts it as ``truncatechars`` does."""
    value = getattr(obj, field)
    if truncate:
        value = Truncator(value).chars(truncate)
    attributes = label_lang(obj, field)
    return format_html("<span{}>{}</span>", attributes, value) if attributes else value


@register.filter(needs_autoescape=True)
def en(value, autoescape=True):
    """A source's words (its title) inside a translated sentence, as a span that says they
    are English (and run left to right in an Arabic page); unchanged in English pages, and
    the sentence's msgid unchanged everywhere ("as {{ title }} reports it")."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    if code.split("-")[0] == "en":
        return value
    text = conditional_escape(value) if autoescape else value
    return mark_safe(f"<span{_english()}>{text}</span>")


# Dates as the page's language writes them (wcit/formats): English exactly as before.
register.filter("long_date", formats.long_date, expects_localtime=True)
register.filter("long_datetime", formats.long_datetime, expects_localtime=True)
register.filter("short_date", formats.short_date, expects_localtime=True)
# Counts with the language's digit grouping (1 950, 1.950); English as before.
register.filter("number", formats.number)
