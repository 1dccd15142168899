"""``capped``: a row's claim count as a list page shows it, "1,000+" past the cap."""

from django import template

from ..models.base import COUNT_CAP

register = template.Library()


@register.filter
def capped(count):
    """``count`` (from ``claim_counts``), or "1,000+" where it stopped counting."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else count
