"""Pictures of the debate, drawn on the server as inline SVG: a world map of reported signature
status, a country × clause matrix, a timeline and small bar charts.

Every function takes plain Python data (no queries) and returns a ``SafeString`` of HTML holding
the picture and its text twin. Everything that comes from data goes through ``escape``. Meaning
is never carried by colour alone: each status and stance has a pattern as well as a colour, a
legend, and words (``<title>``, ``aria-label`` or visible text).

No text a picture shows is under 12 CSS px on a 390 px phone. An SVG's text shrinks with the
drawing, so words live in HTML wherever they can (the matrix, the bar charts, every legend);
the map scales with its ``viewBox`` and has no text; the timeline, whose labels belong on its
axis, is drawn at its own size, one unit a CSS pixel, and scrolls in its box when wider than
the screen. CSS: ``static/wcit/pictures.css`` and the phone section of ``site.css``.

``styles`` holds the patterns and escaping every picture shares, ``shapes`` the map's country
shapes, ``maps`` the map, ``matrix`` the country × clause table, ``timeline`` the timeline and
``bars`` the small bar charts.
"""

from .bars import bar_chart
from .maps import world_map
from .matrix import matrix
from .shapes import world_shapes
from .styles import PAPER, STANCE_STYLES, STATUS_STYLES, UNNAMED_FILL
from .timeline import CONFERENCE_DAYS, EVENT_KINDS, TIMELINE_END, timeline

__all__ = [
    "CONFERENCE_DAYS",
    "EVENT_KINDS",
    "PAPER",
    "STANCE_STYLES",
    "STATUS_STYLES",
    "TIMELINE_END",
    "UNNAMED_FILL",
    "bar_chart",
    "matrix",
    "timeline",
    "world_map",
    "world_shapes",
]
