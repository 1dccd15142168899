"""The timeline: conference days, status reports and publications on a line of days."""

import math
from datetime import date, datetime, timedelta

from django.utils.safestring import mark_safe

from .styles import SVG_NS, _html, _prefix

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
