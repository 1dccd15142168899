"""``clip``: a teaser cut at a word, its whole text kept for screen readers."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def clip(text, length):
    """``text`` cut at the last word that fits in ``length`` characters, with "…"; the
    whole text stays in the page for screen readers (and in the cut's title)."""
    text = str(text)
    length = int(length)
    if len(text) <= length:
        return text
    cut = text[: length + 1].rsplit(None, 1)[0] if " " in text[: length + 1] else text[:length]
    cut = cut.rstrip(" ,;:.-–—")
    return format_html(
        '<span aria-hidden="true" title="{}">{}…</span><span class="visually-hidden">{}</span>',
        text,
        cut,
        text,
    )
