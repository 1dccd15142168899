"""What every picture shares: escaping, id prefixes, and the patterns that tell statuses and
stances apart where colour cannot."""

import hashlib

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SVG_NS = "http://www.w3.org/2000/svg"
PAPER = "#fdfcf9"
UNNAMED_FILL = "#d6d6d6"


def _html(value):
    return str(escape(value))


def _prefix(kind, *parts):
    """A stable id prefix for one picture, so several pictures can share a page."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:6]
    return f"wcit-{kind}-{digest}"


# Patterns ------------------------------------------------------------------
#
# Each style is a fill colour and white marks drawn on it. The colours are dark enough for white
# marks and text (>= 4.5:1) and for the light page and the grey of unnamed land (>= 3:1, WCAG
# 1.4.11); the marks tell the styles apart where colour cannot.


def _pattern(pid, colour, marks, size):
    """An SVG <pattern>: a tile of ``colour`` with ``marks`` ("solid", "dots", ...) in white."""
    s = size
    w = max(1.2, s / 5)
    thin = max(1.0, s / 9)  # hatching crosses itself: thinner lines keep the colour dark
    shapes = {
        "solid": "",
        "dots": f'<circle cx="{s / 2:g}" cy="{s / 2:g}" r="{s / 5:g}" fill="#fff"/>',
        "vertical": f'<rect x="{s / 2 - w / 2:g}" width="{w:g}" height="{s:g}" fill="#fff"/>',
        "horizontal": f'<rect y="{s / 2 - w / 2:g}" width="{s:g}" height="{w:g}" fill="#fff"/>',
        "hatch": (
            f'<path d="M0 0L{s:g} {s:g}M{s:g} 0L0 {s:g}" stroke="#fff" stroke-width="{thin:g}"/>'
        ),
        "diagonal": (
            f'<path d="M{-s / 2:g} {s / 2:g}L{s / 2:g} {-s / 2:g}M0 {s:g}L{s:g} 0'
            f'M{s / 2:g} {s * 1.5:g}L{s * 1.5:g} {s / 2:g}" stroke="#fff" stroke-width="{w:g}"/>'
        ),
    }[marks]
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{s:g}" height="{s:g}">'
        f'<rect width="{s:g}" height="{s:g}" fill="{colour}"/>{shapes}</pattern>'
    )


def _swatch(pid, colour, marks, size=6):
    """A small legend key drawn with the same pattern as the picture, hidden from screen readers
    because the words beside it say the same."""
    return (
        f'<svg class="wcit-swatch" xmlns="{SVG_NS}" viewBox="0 0 24 16" width="24" height="16" '
        f'aria-hidden="true" focusable="false"><defs>{_pattern(pid, colour, marks, size)}</defs>'
        f'<rect x="0.5" y="0.5" width="23" height="15" fill="url(#{pid})" '
        'stroke="currentColor"/></svg>'
    )


# Signature status: (words for "Sweden: undecided", colour, marks). The keys are
# SignatureStatus's values, "disputed" for a country whose sources disagree and "named"
# for a country the sources name without reporting its status; a country they do not
# name at all is UNNAMED_FILL. The same colours mark the status badges (site.css).
STATUS_STYLES = {
    "signed": (_("signed"), "#2166ac", "solid"),
    "not_signed": (_("did not sign"), "#b2182b", "vertical"),
    "walked_out": (_("walked out"), "#6a3d9a", "horizontal"),
    "undecided": (_("undecided"), "#806300", "dots"),
    "disputed": (_("sources disagree"), "#4d4d4d", "hatch"),
    "named": (_("named, no status reported"), "#5b6770", "diagonal"),
}

# Stance of a claim, in the order bars stack: (words, colour, marks).
STANCE_STYLES = {
    "for": (pgettext_lazy("stance", "for"), "#1b7837", "solid"),
    "against": (pgettext_lazy("stance", "against"), "#b2182b", "diagonal"),
    "neutral": (pgettext_lazy("stance", "neutral"), "#4a5a78", "dots"),
    "none": (_("no stance"), "#6b6b6b", "horizontal"),
}

PLAIN_STYLE = ("", "#0b5394", "solid")
