"""``capped``: a row's claim count as a list page shows it, "1,000+" past the cap
(grouped as the language groups digits)."""

from django import template
from django.utils.formats import number_format

from ..models.base import COUNT_CAP

register = template.Library()


@register.filter
def capped(count):
    """``count`` (from ``claim_counts``), or "1,000+" where it stopped counting."""
    return f"{number_format(COUNT_CAP, force_grouping=True)}+" if count > COUNT_CAP else count
