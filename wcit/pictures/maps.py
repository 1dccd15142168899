"""The world map of reported signature status."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ..formats import collation_key
from .shapes import MAP_CREDIT, world_shapes
from .styles import PAPER, STATUS_STYLES, SVG_NS, UNNAMED_FILL, _html, _pattern, _prefix, _swatch

MAP_TITLE = _("Reported signature status at WCIT-12")


def _by_name(entry):
    """An entry (name, code, status) sorts by its name in the reader's collation, then code."""
    return (collation_key(entry[0]), entry[1])


def _country_name(code, names):
    if names and code in names:
        return names[code]
    return countries.name(code.upper()) or code.upper()


def world_map(
    statuses,
    url_for,
    title=MAP_TITLE,
    *,
    names=None,
    details=None,
    small=False,
    id_prefix=None,
    legend_url=None,
):
    """A world map of reported signature status: a ``<figure>`` holding the SVG and its legend.

    ``statuses`` maps an ISO 3166-1 alpha-2 code (any case) to a key of ``STATUS_STYLES``;
    ``url_for(code)`` is that country's page, called with the code as given. Each named country
    is a link whose accessible name and tooltip say "Sweden: undecided" (``names`` overrides
    the ISO names; ``details[code]`` adds words, e.g. which reports disagree). Countries the
    sources do not name are grey and not links. Named countries the map cannot draw are
    listed, as links, under the legend. With ``legend_url(status)``, each entry of the legend
    links to the countries it counts.

    ``small`` draws a lighter map for the home page, and its legend names every country beside
    each status, as links: at that size Europe's countries are too small to show their
    patterns (Czechia, Denmark are specks), so the words carry the statuses.
    """
    title = str(title)
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
    named.sort(key=_by_name)
    missing.sort(key=_by_name)
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
    desc = ngettext(
        "%(n)s country named by the sources is a link, with its reported status, or none "
        "reported; grey countries are not named.",
        "%(n)s countries named by the sources are links, each with its reported status, or "
        "none reported; grey countries are not named.",
        len(named),
    ) % {"n": len(named)}
    svg = (
        f'<svg xmlns="{SVG_NS}" class="wcit-map-svg" viewBox="0 0 2000 {height}" '
        f'role="group" aria-labelledby="{p}-title" aria-describedby="{p}-desc">'
        f'<title id="{p}-title">{_html(title)}</title>'
        f'<desc id="{p}-desc">{_html(desc)} {MAP_CREDIT}</desc>'
        f"<defs>{defs}</defs>"
        f'<path class="wcit-map-land" d="{land}" fill="{UNNAMED_FILL}" stroke="{PAPER}" '
        f'stroke-width="{border - 0.5}" aria-hidden="true"/>'
        f'<g class="wcit-map-named" stroke="{PAPER}" stroke-width="{border}">{"".join(links)}</g>'
        "</svg>"
    )
    counts = {status: 0 for status in STATUS_STYLES}
    for status in statuses.values():
        counts[status] += 1

    def entry(status, words):
        words = str(words)
        text = f"{_html(words[0].upper() + words[1:])} <span>({counts[status]})</span>"
        if legend_url and counts[status]:
            return f'<a href="{_html(legend_url(status))}">{text}</a>'
        return text

    def members(status):
        return ", ".join(
            f'<a href="{_html(url_for(code))}">{_html(name)}</a>'
            + ("" if code.lower() in shapes else " " + _html(gettext("(not on the map)")))
            for name, code, shown in sorted(named + missing, key=_by_name)
            if shown == status
        )

    if small:
        # Each status that some country has, then its countries: the list the map's
        # smallest shapes need beside them.
        legend = "".join(
            f"<li>{_swatch(f'{p}-key-{status}', colour, marks)}"
            f'<span><span class="wcit-map-status">{entry(status, words)}:</span> '
            f"{members(status)}</span></li>"
            for status, (words, colour, marks) in STATUS_STYLES.items()
            if counts[status]
        )
    else:
        legend = "".join(
            f"<li>{_swatch(f'{p}-key-{status}', colour, marks)}{entry(status, words)}</li>"
            for status, (words, colour, marks) in STATUS_STYLES.items()
        )
    legend += (
        f'<li><svg class="wcit-swatch" xmlns="{SVG_NS}" viewBox="0 0 24 16" width="24" '
        f'height="16" aria-hidden="true" focusable="false"><rect x="0.5" y="0.5" width="23" '
        f'height="15" fill="{UNNAMED_FILL}" stroke="currentColor"/></svg>'
        f"{_html(gettext('Not named by the sources'))}</li>"
    )
    off_map = ""
    if missing and not small:
        items = ", ".join(
            f'<a href="{_html(url_for(code))}">{_html(label(name, code, status))}</a>'
            for name, code, status in missing
        )
        intro = _html(gettext("Not drawn on this map:"))
        off_map = f'<p class="wcit-off-map">{intro} {items}.</p>'
    if small:
        figure = "wcit-picture wcit-map wcit-map-small"
        name = _html(gettext("Legend and countries"))
        key = f'class="wcit-legend wcit-map-members" aria-label="{name}"'
    else:
        figure = "wcit-picture wcit-map"
        key = f'class="wcit-legend" aria-label="{_html(gettext("Legend"))}"'
    return mark_safe(
        f'<figure class="{figure}">{svg}<figcaption><ul {key}>{legend}</ul>{off_map}'
        "</figcaption></figure>"
    )
