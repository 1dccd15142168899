"""The page's language as HTML names it, with or without a request (the 500 and 503 pages)."""

from django import template

from ..languages import tag

register = template.Library()


@register.filter
def bcp47(code):
    """``zh-hans`` -> ``zh-Hans``: the tag ``lang`` and ``hreflang`` take."""
    return tag(code)
