"""The country × clause matrix, the timeline and the small bar charts."""

import math
from datetime import date, datetime, timedelta

from django.utils.safestring import mark_safe

from .styles import PLAIN_STYLE, STANCE_STYLES, SVG_NS, _html, _pattern, _prefix, _swatch

# Country × clause matrix ---------------------------------------------------


def _key_label_url(item):
    """A row or column given as (key, label) or (key, label, url)."""
    key, label, *rest = item
    return key, label, rest[0] if rest else None


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
    caption="Claims by country and clause, by stance",
    row_heading="Country",
    id_prefix=None,
):
    """A country × clause table: each cell a stacked bar of the claims about that pair by stance,
    the counts in words, and a link to the filtered claim list.

    ``rows`` and ``columns`` are (key, label) or (key, label, url) pairs, in display order (a url
    makes the heading a link); ``cells[(row_key, column_key)]`` is {"for": n, "against": n,
    "neutral": n, "none": n}; ``url_for_cell(row_key, column_key)`` is the filtered list. A cell
    links with the accessible name "United States, Article 5B: 3 against, 1 neutral"; a pair
    with no claims is a plain cell. Bars share one scale, the busiest cell's total.
    """
    rows = [_key_label_url(r) for r in rows]
    columns = [_key_label_url(c) for c in columns]
    p = id_prefix or _prefix("matrix", caption, rows, columns, sorted(cells.items(), key=repr))
    widest = max((sum(c.get(s, 0) for s in STANCE_STYLES) for c in cells.values()), default=0)

    def heading(label, url, scope):
        text = f'<a href="{_html(url)}">{_html(label)}</a>' if url else _html(label)
        return f'<th scope="{scope}">{text}</th>'

    def cell(row_key, row_label, column_key, column_label):
        counts = cells.get((row_key, column_key)) or {}
        if not any(counts.get(stance) for stance in STANCE_STYLES):
            return (
                '<td class="wcit-empty"><span aria-hidden="true">·</span>'
                '<span class="wcit-vh">no claims</span></td>'
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
        return (
            f'<td><a href="{url}" aria-label="{name}" title="{name}">{bar}'
            f'<span class="wcit-cell-text">{_html(words)}</span></a></td>'
        )

    head = "".join(heading(label, url, "col") for _, label, url in columns)
    body = "".join(
        f"<tr>{heading(row_label, row_url, 'row')}"
        + "".join(cell(row_key, row_label, ck, cl) for ck, cl, _ in columns)
        + "</tr>"
        for row_key, row_label, row_url in rows
    )
    return mark_safe(
        # The caption and legend lead the figure; the table takes its name from the caption
        # alone, so the legend's words do not join it.
        f'<figure class="wcit-picture wcit-matrix-picture">'
        f'<figcaption><span class="wcit-caption" id="{p}-caption">{_html(caption)}</span>'
        f'<ul class="wcit-legend" aria-label="Legend">{_stance_legend(p)}</ul></figcaption>'
        f'<div class="wcit-scroll"><svg class="wcit-defs" xmlns="{SVG_NS}" width="0" height="0" '
        f'aria-hidden="true" focusable="false"><defs>{_stance_defs(p, 6)}</defs></svg>'
        f'<table class="wcit-matrix" aria-labelledby="{p}-caption">'
        f'<thead><tr><th scope="col">{_html(row_heading)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></figure>"
    )


# Timeline ------------------------------------------------------------------

CONFERENCE_DAYS = tuple(date(2012, 12, 3) + timedelta(days=n) for n in range(12))
TIMELINE_END = date(2012, 12, 31)

# Kind of event: (words, colour, marker shape). The shape tells kinds apart without colour.
EVENT_KINDS = {
    "event": ("event", "#00665e", "square"),
    "status": ("status report", "#8c2d04", "diamond"),
    "publication": ("publication", "#1d1f21", "circle"),
}


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def _date_words(day):
    return f"{day.day} {day:%b %Y}"


def _marker(shape, cx, cy, r, colour):
    if shape == "circle":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour}"/>'
    if shape == "diamond":
        r *= 1.2
        return (
            f'<path d="M{cx:.1f} {cy - r:.1f}L{cx + r:.1f} {cy:.1f}L{cx:.1f} {cy + r:.1f}'
            f'L{cx - r:.1f} {cy:.1f}z" fill="{colour}"/>'
        )
    r *= 0.9
    return (
        f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
        f'fill="{colour}"/>'
    )


def timeline(
    days,
    events,
    *,
    title="WCIT-12, 3–14 December 2012, and after",
    until=TIMELINE_END,
    id_prefix=None,
):
    """A timeline: the conference ``days`` shaded, each event a numbered marker above its date,
    and its text twin, an ordered list with the same numbers, dates and links.

    ``days`` are the conference days (``CONFERENCE_DAYS``); the axis runs from the first of them
    to ``until``, and further wherever an event falls outside. ``events`` are dicts with "date"
    (a date, or None when undated: listed last, not drawn), "label", "url", "kind" (a key of
    ``EVENT_KINDS``) and an optional "note". Events of one date stack upward in list order.
    """
    days = sorted({_day(d) for d in days})
    kind_order = list(EVENT_KINDS)
    for event in events:
        if event["kind"] not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {event['kind']!r}; expected {kind_order}")
    dated = sorted(
        (e for e in events if e.get("date")),
        key=lambda e: (_day(e["date"]), kind_order.index(e["kind"]), e["label"]),
    )
    undated = [e for e in events if not e.get("date")]
    anchors = days + [_day(e["date"]) for e in dated] + ([until] if until else [])
    if not anchors:
        raise ValueError("a timeline needs days or dated events")
    start, end = min(anchors), max(anchors)
    span = (end - start).days + 1
    p = id_prefix or _prefix("timeline", title, [(repr(e.get("date")), e["label"]) for e in events])

    width, left, right = 1000, 12, 12
    day_width = (width - left - right) / span
    radius = max(3.0, min(11.0, day_width * 0.42))
    step = 2 * radius + 4
    stacks = {}
    for event in dated:
        stacks.setdefault(_day(event["date"]), []).append(event)
    tallest = max((len(v) for v in stacks.values()), default=0)
    axis_y = 30 + tallest * step + 8
    height = axis_y + 44

    def x_of(day):
        return left + ((day - start).days + 0.5) * day_width

    parts = []
    if days:
        x0 = left + (days[0] - start).days * day_width
        x1 = left + ((days[-1] - start).days + 1) * day_width
        parts.append(
            f'<rect x="{x0:.1f}" y="18" width="{x1 - x0:.1f}" height="{axis_y - 18:.1f}" '
            'class="wcit-timeline-band" fill="#e3ebf5"/>'
            f'<text x="{x0 + 4:.1f}" y="13" font-size="12" fill="currentColor">Conference, '
            f"{_html(_date_words(days[0]))} – {_html(_date_words(days[-1]))}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{axis_y:.1f}" x2="{width - right}" y2="{axis_y:.1f}" '
        f'stroke="currentColor" stroke-width="1.5"/>'
    )
    every = max(1, math.ceil(span / 31))
    for n in range(span):
        day = start + timedelta(days=n)
        x = x_of(day)
        first = n == 0 or day.day == 1
        labelled = first or (day - start).days % every == 0 and (span - n) > every // 2
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis_y:.1f}" x2="{x:.1f}" '
            f'y2="{axis_y + (6 if labelled else 3):.1f}" '
            f'stroke="currentColor"/>'
        )
        if labelled:
            parts.append(
                f'<text x="{x:.1f}" y="{axis_y + 19:.1f}" font-size="11" text-anchor="middle" '
                f'fill="currentColor">{day.day}</text>'
            )
        if first:
            parts.append(
                f'<text x="{x - day_width / 2:.1f}" y="{axis_y + 36:.1f}" font-size="12" '
                f'font-weight="600" fill="currentColor">{day:%B %Y}</text>'
            )
    number = 0
    items = []
    for day, stack in sorted(stacks.items()):
        for i, event in enumerate(stack):
            number += 1
            _, colour, shape = EVENT_KINDS[event["kind"]]
            cx, cy = x_of(day), axis_y - 8 - radius - i * step
            parts.append(_marker(shape, cx, cy, radius, colour))
            parts.append(
                f'<text x="{cx:.1f}" y="{cy + radius * 0.38:.1f}" font-size="{radius * 1.05:.1f}" '
                f'text-anchor="middle" fill="#fff" font-weight="600">{number}</text>'
            )
    for event in dated + undated:
        when = _day(event["date"]) if event.get("date") else None
        time = (
            f'<time datetime="{when.isoformat()}">{_html(_date_words(when))}</time>'
            if when
            else "Undated"
        )
        note = (
            f' <span class="wcit-note">({_html(event["note"])})</span>' if event.get("note") else ""
        )
        link = (
            f'<a href="{_html(event["url"])}">{_html(event["label"])}</a>'
            if event.get("url")
            else _html(event["label"])
        )
        kind = EVENT_KINDS[event["kind"]][0]
        items.append(f'<li>{time}: {link} <span class="wcit-kind">[{kind}]</span>{note}</li>')
    legend = "".join(
        f'<li><svg class="wcit-swatch" xmlns="{SVG_NS}" viewBox="0 0 24 16" width="24" '
        f'height="16" aria-hidden="true" focusable="false">{_marker(shape, 12, 8, 6, colour)}'
        f"</svg>{_html(words[0].upper() + words[1:])}</li>"
        for words, colour, shape in EVENT_KINDS.values()
    )
    summary = (
        f"{len(dated)} dated events on a line of days from {_date_words(start)} to "
        f"{_date_words(end)}, numbered as in the list that follows."
    )
    svg = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height:.0f}" role="img" '
        f'aria-labelledby="{p}-title {p}-desc">'
        f'<title id="{p}-title">{_html(title)}</title><desc id="{p}-desc">{_html(summary)}</desc>'
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(
        # The drawing keeps a legible size on phones and scrolls inside this box, which
        # keyboard users can then focus and scroll too.
        f'<figure class="wcit-picture wcit-timeline"><div class="wcit-scroll" tabindex="0" '
        f'role="region" aria-label="{_html(title)}">{svg}</div>'
        f'<figcaption><ul class="wcit-legend" aria-label="Legend">{legend}</ul>'
        f'<ol class="wcit-timeline-list">{"".join(items)}</ol></figcaption></figure>'
    )


# Bar charts ----------------------------------------------------------------


def bar_chart(counts, labels, title, *, urls=None, scheme="plain", id_prefix=None):
    """Small horizontal bars, one per key of ``counts`` in its order, the number beside each.

    ``labels[key]`` names a bar (the key itself when missing). ``scheme="stance"`` draws the
    stance keys ("for", "against", "neutral", "none") with the matrix's colours and patterns.
    With ``urls`` (key -> url) each bar is a link named "Against: 3"; without, the chart is one
    image whose description lists every bar.
    """
    if scheme not in ("plain", "stance"):
        raise ValueError(f"unknown scheme {scheme!r}")
    urls = urls or {}
    p = id_prefix or _prefix("bars", title, list(counts.items()), scheme)
    entries = [(key, str(labels.get(key, key)), int(n)) for key, n in counts.items()]
    most = max((n for _, _, n in entries), default=0) or 1
    width, row, bar_height, font = 400, 24, 15, 13
    # Server-side there is no text metric: 0.6 em (7.8 units at 13) a character is a
    # generous average for DejaVu Sans, the widest of the usual system sans-serifs (at
    # 0.5 em, "Quote (reported speech)" ran off the left edge in Chromium on Debian).
    char = 7.8
    label_width = min(
        210, 12 + round(char * max((len(label) for _, label, _ in entries), default=4))
    )
    bar_space = width - label_width - 44
    height = row * len(entries) + 4

    def style(key):
        return STANCE_STYLES.get(key, PLAIN_STYLE) if scheme == "stance" else PLAIN_STYLE

    used = {}
    for key, _, _ in entries:
        _, colour, marks = style(key)
        used.setdefault((colour, marks), f"{p}-{len(used)}")
    defs = "".join(_pattern(pid, colour, marks, 6) for (colour, marks), pid in used.items())
    rows = []
    for i, (key, label, n) in enumerate(entries):
        y = 2 + i * row
        _, colour, marks = style(key)
        fits = int((label_width - 12) / char)
        shown = label if len(label) <= fits else label[: fits - 1] + "…"
        bar_width = bar_space * n / most
        drawing = (
            f'<text x="{label_width - 8}" y="{y + 16}" font-size="{font}" text-anchor="end" '
            f'fill="currentColor">{_html(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{bar_width:.1f}" height="{bar_height}" '
            f'fill="url(#{used[(colour, marks)]})"/>'
            f'<text x="{label_width + bar_width + 6:.1f}" y="{y + 16}" font-size="{font}" '
            f'fill="currentColor">{n}</text>'
        )
        if key in urls:
            # The link's name comes from its <title>, as its visible words do not make a
            # sentence ("Against" and "14" are two texts).
            drawing = (
                f'<a href="{_html(urls[key])}"><title>{_html(f"{label}: {n}")}</title>{drawing}</a>'
            )
        rows.append(drawing)
    description = "; ".join(f"{label}: {n}" for _, label, n in entries) or "no data"
    linked = bool(urls) and any(key in urls for key, _, _ in entries)
    svg = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" '
        f'role="{"group" if linked else "img"}" aria-labelledby="{p}-title" '
        f'aria-describedby="{p}-desc">'
        f'<title id="{p}-title">{_html(title)}</title>'
        f'<desc id="{p}-desc">{_html(description)}</desc>'
        f"<defs>{defs}</defs>{''.join(rows)}</svg>"
    )
    return mark_safe(
        f'<figure class="wcit-picture wcit-bars"><figcaption aria-hidden="true">{_html(title)}'
        f"</figcaption>{svg}</figure>"
    )
