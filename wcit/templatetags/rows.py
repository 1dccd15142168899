"""The claim rows of the lists, rendered by Jinja2.

Lists show claims by the page (25 on the claim list, up to a hundred on a country's
page), and a row is the most repeated markup of the site: Django's template engine
took 3.5 ms for a page of 25 rows, Jinja2 takes 1.1 ms for the same bytes. Every
other template is Django's; this one partial is Jinja2's (``wcit/jinja2/``), with
autoescaping on, as Django's.
"""

import functools

import jinja2
from django import template
from django.template import engines
from django.utils import formats, translation
from django.utils.safestring import mark_safe

register = template.Library()


def environment(**options):
    """The Jinja2 environment of ``wcit/jinja2/``: Django's ``date`` filter; a name the
    template misspells is an error, not an empty string."""
    env = jinja2.Environment(**{**options, "undefined": jinja2.StrictUndefined})
    env.filters["date"] = date
    return env


def date(value, format):
    """Django's ``date`` filter, remembered: a list shows the dates of a few sources over and
    over, and formatting one looks up the format and the month's name each time."""
    return _date(value, format, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _date(value, format, language):
    return formats.date_format(value, format)


@register.simple_tag
def claim_rows(claims, anchor=False):
    """The rows of ``claims`` (rows of ``Claim.objects.for_rows()``)."""
    rows = engines["jinja2"].get_template("wcit/_claim_rows.html")
    return mark_safe(rows.render({"claims": claims, "anchor": anchor}))  # escaped by Jinja2
