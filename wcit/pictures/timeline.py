"""The timeline: conference days, status reports and publications on a line of days.

The line spends its width on the days that hold events. A run of days without any is drawn
short, as a break in the axis labelled with its dates and its length ("15–27", "13 days"), so
the picture never hides time, it only says how much it skipped. The markers of a busy day
spread into columns of at most ``MAX_ROWS`` within that day's own stretch of axis.

The drawing is not scaled: its viewBox is its size in CSS pixels, so its text is ``FONT`` px
on any screen (a 1000-unit drawing squeezed onto a phone had 7 px numbers), and it scrolls
inside its box when a screen is narrower than it.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language_bidi, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..formats import month_year, short_date
from .styles import SVG_NS, _html, _prefix

CONFERENCE_DAYS = tuple(date(2012, 12, 3) + timedelta(days=n) for n in range(12))
TIMELINE_END = date(2012, 12, 31)

# Kind of event: (words, colour, marker shape). The shape tells kinds apart without colour.
EVENT_KINDS = {
    "event": (_("event"), "#00665e", "square"),
    "status": (_("status report"), "#8c2d04", "diamond"),
    "publication": (_("publication"), "#1d1f21", "circle"),
}


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def gap_words(segment):
    """The name of a break in the axis: its dates and how many days it stands for."""
    return ngettext(
        "%(first)s to %(last)s: %(n)s day without events, drawn short",
        "%(first)s to %(last)s: %(n)s days without events, drawn short",
        segment.days,
    ) % {"first": _date_words(segment.first), "last": _date_words(segment.last), "n": segment.days}


def _date_words(day):
    return short_date(day)


def _marker(shape, cx, cy, r, colour, extra=""):
    if shape == "circle":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour}"{extra}/>'
    if shape == "diamond":
        r *= 1.25
        return (
            f'<path d="M{cx:.1f} {cy - r:.1f}L{cx + r:.1f} {cy:.1f}L{cx:.1f} {cy + r:.1f}'
            f'L{cx - r:.1f} {cy:.1f}z" fill="{colour}"{extra}/>'
        )
    r *= 0.9
    return (
        f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
        f'fill="{colour}"{extra}/>'
    )


# Sizes in CSS pixels --------------------------------------------------------

FONT = 12  # every text of the drawing: the smallest a phone reader is asked to read
RADIUS = 11  # a marker holds a two-digit number at FONT
PITCH = 2 * RADIUS + 4  # from one marker to the next, across or up
MAX_ROWS = 6  # a day with more events spreads into columns
DAY_WIDTH = PITCH  # a day with one column of markers, or none: room for "28" under it
GAP_DAYS = 3  # a run of this many days without events, or more, is drawn as a break
MARGIN = 6
CHAR = 0.62 * FONT  # no text metrics on the server: a generous average character width


@dataclass
class _Segment:
    """A stretch of the axis: one day, or a break standing for a run of days without events."""

    first: date
    last: date
    events: list = field(default_factory=list)
    is_gap: bool = False
    x: float = 0.0
    width: float = 0.0

    @property
    def days(self):
        return (self.last - self.first).days + 1

    @property
    def columns(self):
        return math.ceil(len(self.events) / MAX_ROWS)

    def gap_words(self):
        """The break's two labels: its dates under the axis, its length above."""
        length = ngettext("%(n)s day", "%(n)s days", self.days) % {"n": self.days}
        return f"{self.first.day}–{self.last.day}", length


def _segments(start, end, stacks, boundaries):
    """The axis from ``start`` to ``end``: a segment per day that has events; runs of empty
    days as breaks when ``GAP_DAYS`` long or more, else day by day. Runs are cut at
    ``boundaries`` (the conference's edges, each month's first day), so that a break never
    straddles one and each boundary starts a segment."""
    segments, run = [], []

    def flush():
        pieces = []
        for day in run:
            if not pieces or day in boundaries:
                pieces.append([])
            pieces[-1].append(day)
        for piece in pieces:
            if len(piece) >= GAP_DAYS:
                segments.append(_Segment(piece[0], piece[-1], is_gap=True))
            else:
                segments.extend(_Segment(day, day) for day in piece)
        run.clear()

    for n in range((end - start).days + 1):
        day = start + timedelta(days=n)
        if day in stacks:
            flush()
            segments.append(_Segment(day, day, stacks[day]))
        else:
            run.append(day)
    flush()
    x = MARGIN
    for segment in segments:
        if segment.is_gap:
            words = max(len(w) for w in segment.gap_words())
            segment.width = max(2 * DAY_WIDTH, math.ceil(words * CHAR) + 12)
        else:
            segment.width = max(DAY_WIDTH, segment.columns * PITCH)
        segment.x = x
        x += segment.width
    return segments


def _month_words(day):
    return month_year(day)


TIMELINE_TITLE = _("WCIT-12, 3–14 December 2012, and after")


def timeline(
    days,
    events,
    *,
    title=TIMELINE_TITLE,
    until=TIMELINE_END,
    id_prefix=None,
):
    """A timeline: the conference ``days`` shaded, each event a numbered marker above its date
    (a link to it), and its text twin, an ordered list with the same numbers, dates and links.

    ``days`` are the conference days (``CONFERENCE_DAYS``); the axis runs from the first of them
    to ``until``, and further wherever an event falls outside. ``events`` are dicts with "date"
    (a date, or None when undated: listed last, not drawn), "label", "url", "kind" (a key of
    ``EVENT_KINDS``) and an optional "note". Events of one date stack upward in list order,
    in columns of ``MAX_ROWS``. Runs of ``GAP_DAYS`` or more days without events are breaks.

    In a right-to-left language (Arabic) time runs from right to left, as the reader's eye
    does: the axis is laid out left to right and every x then mirrored (``mx``), and the
    drawing's ``direction`` is rtl, so a text anchored at its start (the month names, the
    conference's label) grows leftward from its mirrored x.
    """
    title = str(title)
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
    p = id_prefix or _prefix("timeline", title, [(repr(e.get("date")), e["label"]) for e in events])

    stacks = {}
    for number, event in enumerate(dated, 1):
        stacks.setdefault(_day(event["date"]), []).append((number, event))
    boundaries = {start + timedelta(days=n) for n in range((end - start).days + 1)}
    boundaries = {day for day in boundaries if day.day == 1}
    if days:
        boundaries |= {days[0], days[-1] + timedelta(days=1)}
    segments = _segments(start, end, stacks, boundaries)
    width = math.ceil(segments[-1].x + segments[-1].width + MARGIN)
    rows = max((min(MAX_ROWS, len(s.events)) for s in segments), default=0)
    axis_y = 2 * FONT + max(1, rows) * PITCH + 4
    rtl = get_language_bidi()

    def mx(x):
        """x on the drawing: as laid out, or mirrored in a right-to-left language."""
        return width - x if rtl else x

    axis, drawn = [], []  # what the eye reads off the axis; the markers, each a link
    if days:
        first = next(s for s in segments if s.first == days[0])
        last = next(s for s in segments if s.last == days[-1])
        x0, x1 = first.x, last.x + last.width
        label = f"{days[0].day}–{_date_words(days[-1])}"
        if (days[0].month, days[0].year) != (days[-1].month, days[-1].year):
            label = f"{_date_words(days[0])} – {_date_words(days[-1])}"
        conference = gettext("Conference, %(dates)s") % {"dates": label}
        axis.append(
            f'<rect x="{min(mx(x0), mx(x1)):.1f}" y="{FONT + 6}" width="{x1 - x0:.1f}" '
            f'height="{axis_y - FONT - 6:.1f}" class="wcit-timeline-band" fill="#e3ebf5"/>'
            f'<text x="{mx(x0 + 2):.1f}" y="{FONT + 1}" font-size="{FONT}" fill="currentColor">'
            f"{_html(conference)}</text>"
        )
    month_rows = [0.0]  # where the last month label on each line ends
    for segment in segments:
        x, mid = segment.x, segment.x + segment.width / 2
        if segment.is_gap:
            # The axis breaks: two slanted strokes, the dates under them, the length above.
            dates, length = segment.gap_words()
            axis.append(
                f'<g class="wcit-timeline-gap"><title>{_html(gap_words(segment))}</title>'
                f'<path d="M{mx(x):.1f} {axis_y}H{mx(mid - 4):.1f}M{mx(mid + 4):.1f} {axis_y}'
                f"H{mx(x + segment.width):.1f}M{mx(mid - 7):.1f} {axis_y + 6}"
                f"L{mx(mid - 1):.1f} {axis_y - 6}"
                f'M{mx(mid + 1):.1f} {axis_y + 6}L{mx(mid + 7):.1f} {axis_y - 6}" '
                f'stroke="currentColor" stroke-width="1.5" fill="none"/>'
                f'<text x="{mx(mid):.1f}" y="{axis_y - 10}" font-size="{FONT}" '
                f'text-anchor="middle" fill="currentColor" font-style="italic">{length}</text>'
                f'<text x="{mx(mid):.1f}" y="{axis_y + 20}" font-size="{FONT}" '
                f'text-anchor="middle" '
                f'fill="currentColor">{dates}</text></g>'
            )
        else:
            axis.append(
                f'<path d="M{mx(x):.1f} {axis_y}H{mx(x + segment.width):.1f}M{mx(mid):.1f} '
                f'{axis_y}V{axis_y + 5}" stroke="currentColor" stroke-width="1.5" fill="none"/>'
                f'<text x="{mx(mid):.1f}" y="{axis_y + 20}" font-size="{FONT}" '
                f'text-anchor="middle" '
                f'fill="currentColor">{segment.first.day}</text>'
            )
        if segment is segments[0] or segment.first.day == 1:
            # A month's name under its first segment; on a second line if the last one is
            # still being written there.
            words = _month_words(segment.first)
            line = next((n for n, end_x in enumerate(month_rows) if x >= end_x), None)
            if line is None:
                line = len(month_rows)
                month_rows.append(0.0)
            month_rows[line] = x + len(words) * CHAR + 8
            axis.append(
                f'<text x="{mx(x):.1f}" y="{axis_y + 38 + line * (FONT + 6)}" font-size="{FONT}" '
                f'font-weight="600" fill="currentColor">{_html(words)}</text>'
            )
        for i, (number, event) in enumerate(segment.events):
            _, colour, shape = EVENT_KINDS[event["kind"]]
            column, row = divmod(i, MAX_ROWS)
            cx = mx(mid + (column - (segment.columns - 1) / 2) * PITCH)
            cy = axis_y - 8 - RADIUS - row * PITCH
            marker = _marker(shape, cx, cy, RADIUS, colour, ' class="wcit-timeline-marker"') + (
                f'<text x="{cx:.1f}" y="{cy + 4.2:.1f}" font-size="{FONT}" text-anchor="middle" '
                f'fill="#fff" font-weight="600">{number}</text>'
            )
            name = _html(f"{number}. {_date_words(segment.first)}: {event['label']}")
            if event.get("url"):
                marker = f'<a href="{_html(event["url"])}"><title>{name}</title>{marker}</a>'
            else:
                marker = f"<g><title>{name}</title>{marker}</g>"
            drawn.append(marker)
    height = axis_y + 38 + (len(month_rows) - 1) * (FONT + 6) + 8

    items = []
    for event in dated + undated:
        when = _day(event["date"]) if event.get("date") else None
        time = (
            f'<time datetime="{when.isoformat()}">{_html(_date_words(when))}</time>'
            if when
            else _html(gettext("Undated"))
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
        f"</svg>{_html(capfirst(words))}</li>"
        for words, colour, shape in EVENT_KINDS.values()
    )
    gaps = sum(1 for s in segments if s.is_gap)
    summary = ngettext(
        "%(n)s dated event on a line of days from %(start)s to %(end)s, numbered as in the "
        "list that follows",
        "%(n)s dated events on a line of days from %(start)s to %(end)s, numbered as in the "
        "list that follows",
        len(dated),
    ) % {"n": len(dated), "start": _date_words(start), "end": _date_words(end)}
    if gaps:
        summary += ngettext(
            "; %(n)s run of days without events is drawn short, each break labelled with its "
            "dates.",
            "; %(n)s runs of days without events are drawn short, each break labelled with its "
            "dates.",
            gaps,
        ) % {"n": gaps}
    else:
        summary += "."
    linked = any(e.get("url") for e in dated)
    direction = ' direction="rtl"' if rtl else ""
    svg = (
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"{direction} role="{"group" if linked else "img"}" '
        f'aria-labelledby="{p}-title" aria-describedby="{p}-desc">'
        f'<title id="{p}-title">{_html(title)}</title><desc id="{p}-desc">{_html(summary)}</desc>'
        f'<g class="wcit-timeline-axis" aria-hidden="true">{"".join(axis)}</g>'
        f"{''.join(drawn)}</svg>"
    )
    return mark_safe(
        # The drawing keeps its size on phones and scrolls inside this box when wider than
        # the screen, which keyboard users can then focus and scroll too.
        f'<figure class="wcit-picture wcit-timeline"><div class="wcit-scroll" tabindex="0" '
        f'role="region" aria-label="{_html(title)}">{svg}</div>'
        f'<figcaption><ul class="wcit-legend" aria-label="{_html(gettext("Legend"))}">{legend}</ul>'
        f'<ol class="wcit-timeline-list">{"".join(items)}</ol></figcaption></figure>'
    )
