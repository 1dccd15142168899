"""Small horizontal bar charts: claims by kind, claims by stance."""

from django.utils.safestring import mark_safe

from .styles import PLAIN_STYLE, STANCE_STYLES, SVG_NS, _html, _pattern, _prefix


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
