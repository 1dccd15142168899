"""Template tags of the curation admin."""

from django import template
from django.db.models import Count
from django.urls import reverse

from wcit.models import Claim, Revision

register = template.Library()


@register.simple_tag
def claim_states():
    """Each publication state with its number of claims and the admin list of them."""
    counts = dict(Claim.objects.order_by().values_list("status").annotate(n=Count("pk")))
    url = reverse("admin:wcit_claim_changelist")
    return [
        {"label": label, "count": counts.get(value, 0), "url": f"{url}?status__exact={value}"}
        for value, label in Claim.Status.choices
    ]


@register.simple_tag
def pending_revision_count():
    """How many changes to published content wait for a reviewer."""
    return Revision.objects.pending().count()
