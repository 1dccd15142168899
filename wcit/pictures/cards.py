"""Link-preview images (Open Graph): a PNG of 1200×630 with a page's answer in words.

A chat or a social post shows this picture when someone pastes a link: the quote and its
speaker for a claim, the question and its sides for a dispute, the reported status for a
country, the split of opinion for a clause. Text is drawn in the bundled DejaVu Sans (its
licence is beside it in ``fonts/``), wrapped at words and shrunk to fit, never cut
mid-word; what does not fit ends in "…".
"""

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
FONTS = Path(__file__).resolve().parent / "fonts"
PAPER = "#fbfaf7"
INK = "#1f1f1f"
MUTED = "#55595e"
ACCENT = "#0b4f8a"


@lru_cache(maxsize=32)
def _font(size, bold=False):
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _wrap(text, font, width):
    """``text`` as lines no wider than ``width``, broken at spaces (a word longer than a line
    is broken where it must be)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = max(i for i in range(1, len(word) + 1) if font.getlength(word[:i]) <= width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _fit(text, width, height, sizes, bold=False, spacing=1.3):
    """(font, lines) of the largest size in ``sizes`` whose lines fit ``height``; at the
    smallest, the lines that fit, the last ending in "…" at a word."""
    for size in sizes:
        font = _font(size, bold)
        lines = _wrap(text, font, width)
        if len(lines) * size * spacing <= height:
            return font, lines
    room = max(1, int(height // (size * spacing)))
    if len(lines) > room:
        lines = lines[:room]
        last = lines[-1]
        while last and font.getlength(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last.rstrip(" ,;:.") + " …"
    return font, lines


def _draw_lines(draw, lines, font, x, y, fill, spacing=1.3):
    for line in lines:
        draw.text((x, y), line, font=font, fill=fill)
        y += round(font.size * spacing)
    return y


def card(kicker, headline, body=(), footer=""):
    """The PNG bytes of a preview card: a small ``kicker`` ("Claim", "Dispute"), a
    ``headline`` (the quote, the question), ``body`` lines (sides, statuses) and a
    ``footer`` (who said it, where), on the site's paper with its accent rule."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)
    inner = WIDTH - 2 * MARGIN
    draw.text((MARGIN, 44), "wcit · the WCIT-12 debate", font=_font(26, True), fill=ACCENT)
    draw.text((MARGIN, 84), kicker, font=_font(26), fill=MUTED)
    footer_font, footer_lines = _fit(footer, inner, 80, (28, 24), spacing=1.25)
    body_text = list(body)
    body_height = 0
    if body_text:
        body_height = min(200, 44 * len(body_text))
    headline_top = 140
    headline_room = HEIGHT - headline_top - 40 - body_height - 40 * len(footer_lines) - 30
    font, lines = _fit(headline, inner, headline_room, (56, 50, 44, 38, 34, 30), bold=True)
    y = _draw_lines(draw, lines, font, MARGIN, headline_top, INK)
    if body_text:
        y += 16
        # One size for every line: the largest at which each fits on one line, else the
        # smallest, the longer lines ending in "…" at a word.
        size = next(
            (s for s in (30, 26, 24) if all(_font(s).getlength(t) <= inner for t in body_text)),
            24,
        )
        for item in body_text:
            if y + 44 > HEIGHT - 40 * len(footer_lines) - 40:
                break
            body_font, body_lines = _fit(item, inner, size * 1.3, (size,))
            draw.text((MARGIN, y), body_lines[0], font=body_font, fill=INK)
            y += 44
    _draw_lines(
        draw, footer_lines, footer_font, MARGIN, HEIGHT - 40 - 36 * len(footer_lines), MUTED, 1.25
    )
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
