"""The country × clause matrix: a table whose cells hold small stacked bars by stance."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .styles import STANCE_STYLES, SVG_NS, _html, _pattern, _prefix, _swatch

MATRIX_CAPTION = _("Claims by country and clause, by stance")
ROW_HEADING = _("Country")


def _key_label_url(item):
    """A row or column given as (key, label), (key, label, url) or (key, label, url, short)."""
    key, label, url, short = (*item, None, None)[:4]
    return key, label, url, short if short and short != label else None


def _stance_words(counts):
    return ", ".join(
        f"{counts[stance]} {words}"
        for stance, (words, _, _) in STANCE_STYLES.items()
        if counts.get(stance)
    )


def _stance_defs(p, size):
    return "".join(
        _pattern(f"{p}-{stance}", colour, marks, size)
        for stance, (_, colour, marks) in STANCE_STYLES.items()
    )


def _stance_legend(p):
    return "".join(
        f"<li>{_swatch(f'{p}-key-{stance}', colour, marks)}{_html(words)}</li>"
        for stance, (words, colour, marks) in STANCE_STYLES.items()
    )


def matrix(
    rows,
    columns,
    cells,
    url_for_cell,
    *,
    caption=MATRIX_CAPTION,
    row_heading=ROW_HEADING,
    id_prefix=None,
):
    """A country × clause table: each cell a stacked bar of the claims about that pair by stance,
    the counts in words, and a link to the filtered claim list.

    ``rows`` and ``columns`` are (key, label) or (key, label, url) tuples, in display order (a url
    makes the heading a link); a column may add a short label, (key, label, url, short), for
    a narrow heading: "5A" shows, the full label follows it in the heading's accessible name
    and tooltip, and a key under the table spells each short label out.
    ``cells[(row_key, column_key)]`` is {"for": n, "against": n, "neutral": n, "none": n};
    ``url_for_cell(row_key, column_key)`` is the filtered list. A cell links with the
    accessible name "United States, Article 5B: 3 against, 1 neutral"; a pair with no claims
    is a plain cell. Bars share one scale, the busiest cell's total.
    """
    caption, row_heading = str(caption), str(row_heading)
    rows = [_key_label_url(r) for r in rows]
    columns = [_key_label_url(c) for c in columns]
    p = id_prefix or _prefix("matrix", caption, rows, columns, sorted(cells.items(), key=repr))
    widest = max((sum(c.get(s, 0) for s in STANCE_STYLES) for c in cells.values()), default=0)

    def heading(label, url, scope, short=None):
        if short is None:
            text, title = _html(label), ""
        else:
            # The short label is what a narrow column shows; the full one follows it, unseen,
            # so that the heading's name starts with the words on screen (WCAG 2.5.3).
            text = f'{_html(short)}<span class="wcit-vh">, {_html(label)}</span>'
            title = f' title="{_html(label)}"'
        if url:
            return f'<th scope="{scope}"><a href="{_html(url)}"{title}>{text}</a></th>'
        return f'<th scope="{scope}"{title}>{text}</th>'

    def cell(row_key, row_label, column_key, column_label):
        counts = cells.get((row_key, column_key)) or {}
        if not any(counts.get(stance) for stance in STANCE_STYLES):
            return (
                '<td class="wcit-empty"><span aria-hidden="true">·</span>'
                f'<span class="wcit-vh">{_html(gettext("no claims"))}</span></td>'
            )
        words = _stance_words(counts)
        name = _html(f"{row_label}, {column_label}: {words}")
        x, bars = 0.0, []
        for stance in STANCE_STYLES:
            n = counts.get(stance, 0)
            if n:
                width = 100 * n / widest
                bars.append(
                    f'<rect x="{x:.2f}%" width="{width:.2f}%" height="100%" '
                    f'fill="url(#{p}-{stance})"/>'
                )
                x += width
        bar = (
            f'<svg class="wcit-cellbar" xmlns="{SVG_NS}" aria-hidden="true" focusable="false">'
            f"{''.join(bars)}</svg>"
        )
        url = _html(url_for_cell(row_key, column_key))
        # One phrase a line in a narrow column, never "1" on one line and "neutral" on the next.
        phrases = ", ".join(
            f'<span class="wcit-phrase">{_html(phrase)}</span>' for phrase in words.split(", ")
        )
        return (
            f'<td><a href="{url}" aria-label="{name}" title="{name}">{bar}'
            f'<span class="wcit-cell-text">{phrases}</span></a></td>'
        )

    head = "".join(heading(label, url, "col", short) for _, label, url, short in columns)
    body = "".join(
        f"<tr>{heading(row_label, row_url, 'row')}"
        + "".join(cell(row_key, row_label, ck, cl) for ck, cl, _, _ in columns)
        + "</tr>"
        for row_key, row_label, row_url, _ in rows
    )
    shorts = "".join(
        f"<div><dt>{_html(short)}</dt><dd>{_html(label)}</dd></div>"
        for _, label, _, short in columns
        if short
    )
    key = (
        f'<p class="wcit-matrix-key-intro">{_html(gettext("The columns:"))}</p>'
        f'<dl class="wcit-matrix-key">{shorts}</dl>'
        if shorts
        else ""
    )
    return mark_safe(
        # The caption and legend lead the figure; the table takes its name from the caption
        # alone, so the legend's words do not join it.
        f'<figure class="wcit-picture wcit-matrix-picture">'
        f'<figcaption><span class="wcit-caption" id="{p}-caption">{_html(caption)}</span>'
        f'<ul class="wcit-legend" aria-label="{_html(gettext("Legend"))}">{_stance_legend(p)}</ul>'
        "</figcaption>"
        f'<div class="wcit-scroll"><svg class="wcit-defs" xmlns="{SVG_NS}" width="0" height="0" '
        f'aria-hidden="true" focusable="false"><defs>{_stance_defs(p, 6)}</defs></svg>'
        f'<table class="wcit-matrix" aria-labelledby="{p}-caption">'
        f'<thead><tr><th scope="col" class="wcit-corner">{_html(row_heading)}</th>{head}'
        "</tr></thead>"
        f"<tbody>{body}</tbody></table></div>{key}</figure>"
    )
