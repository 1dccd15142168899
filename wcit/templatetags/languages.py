"""The page's language as HTML names it, with or without a request (the 500 and 503 pages)."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.safestring import mark_safe

from ..languages import tag

register = template.Library()


@register.filter
def bcp47(code):
    """``zh-hans`` -> ``zh-Hans``: the tag ``lang`` and ``hreflang`` take."""
    return tag(code)


@register.simple_tag
def source_lang():
    """` lang="en"` on an element quoting the sources (their text, claims' quotes and summaries,
    labels with no translation yet) in a page of another language; nothing in English pages."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return mark_safe(' lang="en"') if code.split("-")[0] != "en" else ""


@register.simple_tag
def label_lang(obj, field):
    """` lang="en"` where ``obj``'s curated ``field`` shows in English for want of a
    translation into the page's language (django-modeltranslation falls back to English)."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    if code.split("-")[0] == "en":
        return ""
    translated = getattr(obj, f"{field}_{code.replace('-', '_')}", None)
    return "" if translated else mark_safe(' lang="en"')
