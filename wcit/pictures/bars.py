"""Small horizontal bar charts: claims by kind, claims by stance.

The words and numbers are HTML text and only the bars are SVG: an SVG's text shrinks with its
width (a 13-unit label in a 400-unit chart drawn 350 px wide is 11 px on a phone), while HTML
text keeps the page's size, follows the reader's font setting and wraps instead of being cut
with a guessed character width.
"""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ..formats import number
from .styles import PLAIN_STYLE, STANCE_STYLES, SVG_NS, _html, _pattern, _prefix


def bar_chart(counts, labels, title, *, urls=None, scheme="plain", id_prefix=None):
    """Small horizontal bars, one per key of ``counts`` in its order, the number beside each.

    ``labels[key]`` names a bar (the key itself when missing). ``scheme="stance"`` draws the
    stance keys ("for", "against", "neutral", "none") with the matrix's colours and patterns.
    A ``<figure>`` named by its caption holds a list, a row per bar that reads "Against: 14";
    with ``urls`` (key -> url) each row is a link to its claims.
    """
    if scheme not in ("plain", "stance"):
        raise ValueError(f"unknown scheme {scheme!r}")
    title = str(title)
    urls = urls or {}
    p = id_prefix or _prefix("bars", title, list(counts.items()), scheme)
    entries = [(key, str(labels.get(key, key)), int(n)) for key, n in counts.items()]
    most = max((n for _, _, n in entries), default=0) or 1

    def style(key):
        return STANCE_STYLES.get(key, PLAIN_STYLE) if scheme == "stance" else PLAIN_STYLE

    used = {}
    for key, _, _ in entries:
        _, colour, marks = style(key)
        used.setdefault((colour, marks), f"{p}-{len(used)}")
    defs = "".join(_pattern(pid, colour, marks, 6) for (colour, marks), pid in used.items())
    rows = []
    for key, label, n in entries:
        _, colour, marks = style(key)
        # The bar's width is a share of the space the longest bar spans; the number follows
        # the bar's end. The colon is for the ear: on screen the bar stands between.
        row = (
            f'<span class="wcit-bar-label">{_html(label)}</span><span class="wcit-vh">: </span>'
            f'<span class="wcit-bar-track"><svg class="wcit-bar" xmlns="{SVG_NS}" '
            f'width="{100 * n / most:.2f}%" height="16" aria-hidden="true" focusable="false">'
            f'<rect width="100%" height="100%" fill="url(#{used[(colour, marks)]})"/></svg>'
            f'<span class="wcit-bar-n">{number(n)}</span></span>'
        )
        if key in urls:
            row = f'<a href="{_html(urls[key])}">{row}</a>'
        rows.append(f"<li>{row}</li>")
    empty = "" if entries else f'<li class="wcit-empty">{_html(gettext("No data"))}</li>'
    return mark_safe(
        f'<figure class="wcit-picture wcit-bars"><figcaption>{_html(title)}</figcaption>'
        f'<svg class="wcit-defs" xmlns="{SVG_NS}" width="0" height="0" aria-hidden="true" '
        f'focusable="false"><defs>{defs}</defs></svg>'
        f'<ul class="wcit-bar-list">{"".join(rows)}{empty}</ul></figure>'
    )
