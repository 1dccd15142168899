"""The public Atom feed of newly published and changed claims."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Claim


class ClaimFeed(Feed):
    """Published claims, most recently published or changed first.

    Claims loaded from the fixtures and never changed since have only a
    baseline record, so the feed lists what curation did in this database.
    """

    feed_type = Atom1Feed
    title = "wcit: newly published and changed claims"
    subtitle = "Claims about the WCIT-12 debate, each tied to the passage of its source."
    limit = 50

    def link(self):
        return reverse("claim-list")

    def items(self):
        return (
            Claim.objects.published()
            .with_change_dates()
            .filter(changed_at__isnull=False)
            .select_related("source", "speaker")
            .defer("source__search_document")
            .order_by("-changed_at", "-id")[: self.limit]
        )

    def item_title(self, claim):
        return claim.summary

    def item_description(self, claim):
        return f"“{claim.quote}” ({claim.source.title})"

    def item_link(self, claim):
        return claim.get_absolute_url()

    def item_author_name(self, claim):
        return claim.speaker.name if claim.speaker else None

    def item_pubdate(self, claim):
        return claim.published_at or claim.first_recorded

    def item_updateddate(self, claim):
        return claim.changed_at
