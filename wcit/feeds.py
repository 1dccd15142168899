"""Atom feeds of the latest published claims: of any claim-list query (``/claims/feed/``,
taking the list's filters; with none, the site-wide feed), and of each country, clause,
dispute, speaker and source page.

An entry is a claim, newest publication first (``Claim.objects.latest_published()``: for the
claims loaded from the fixtures, the date the corpus was loaded), at most ``LIMIT`` of them
in a fixed number of queries. Its ``updated`` is the date of its latest correction, and its
summary says which fields that and any earlier correction changed. Feeds are served through
the page cache like any public page: a correction moves the data version, so the next
request renders them anew.
"""

from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .filters import ClaimFilter, validated
from .filters import query_parameters as parameters_of
from .formats import long_date
from .models import Claim, Clause, Country, Dispute, Position, Source, Speaker
from .problems import InvalidParameters
from .views import bad_request

# The most entries a feed holds: a reader polls for what is new, not for the archive.
LIMIT = 50
# An Atom entry must have a date; this is the one given when none is known (a claim with
# no publication date in a database not loaded by ``load_corpus``), plainly not a real one.
NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)


class ClaimFeed(Feed):
    """The claims a claim-list query selects (``ClaimFilter``; ``sort`` is accepted and
    has no effect, a feed being newest first); a bad value is the list's 400."""

    feed_type = Atom1Feed
    # None: the language of the feed's address (Django's get_language()), as its page's.
    language = None
    # The claim list's filters, which ``wcit.middleware`` holds the feed's requests to
    # (``page`` among them: accepted, and a feed has one page).
    query_parameters, multiple_parameters = parameters_of(ClaimFilter)
    # Atom wants an author for an entry that names none (a claim whose speaker is unnamed).
    author_name = "wcit"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidParameters as error:
            return bad_request(request, error)

    def get_object(self, request):
        return validated(ClaimFilter(request.GET, queryset=Claim.objects.published()))

    def claims(self, obj):
        """The published claims the feed of ``obj`` selects, in any order."""
        # The filtered claims' ids, so that the list's own ordering and annotations (answer
        # counts, search rank) are not computed for a feed that orders by publication.
        return Claim.objects.published().filter(pk__in=obj.qs.order_by().values("pk"))

    def title(self, obj):
        chosen = [
            f"{row['label'].lower()} {row['display']}"
            for row in obj.active()
            if row["name"] != "sort"
        ]
        if chosen:
            return gettext("wcit: claims, %(filters)s") % {"filters": "; ".join(chosen)}
        return gettext("wcit: the latest claims")

    def subtitle(self, obj):
        return gettext(
            "The latest published claims about the WCIT-12 debate, each tied to the "
            "passage of its source."
        )

    def link(self, obj):
        query = obj.data.urlencode()
        return reverse("claim-list") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        query = obj.data.urlencode()
        return reverse("claim-feed") + (f"?{query}" if query else "")

    def items(self, obj):
        claims = self.claims(obj).select_related("source", "speaker")
        heavy = ["search_document", "source__text", "source__notes", "source__search_document"]
        return claims.defer(*heavy).latest_published(LIMIT)

    def item_title(self, claim):
        return claim.summary

    def item_link(self, claim):
        return claim.get_absolute_url()

    def item_author_name(self, claim):
        return claim.speaker.name if claim.speaker else None

    def item_pubdate(self, claim):
        return claim.published_on or NO_DATE

    def item_updateddate(self, claim):
        if claim.corrections:
            return claim.corrections[-1].date
        return self.item_pubdate(claim)

    def item_description(self, claim):
        """HTML (the Atom summary is ``type="html"``): every value from the sources escaped."""
        source = claim.source
        dated = f", {long_date(source.published)}" if source.published else ""
        parts = [
            format_html("<p>“{}”</p>", claim.quote),
            format_html(
                "<p>{}</p>",
                format_html(gettext("In {title}{date}."), title=source.title, date=dated),
            ),
        ]
        if claim.corrections:
            parts.append(format_html("<p>{}</p>", corrected(claim)))
        return format_html_join("", "{}", ((part,) for part in parts))


def corrected(claim):
    """What the corrections of ``claim`` changed, in words: "Corrected: summary, quote"."""
    names = {name for correction in claim.corrections for name in correction.fields}
    fields = [
        str(Claim._meta.get_field(name).verbose_name)
        for name in Claim.READER_FIELDS
        if name in names
    ]
    latest = long_date(claim.corrections[-1].date)
    if not fields:
        return gettext("Changed on %(date)s; the earlier version was not recorded.") % {
            "date": latest
        }
    times = len(claim.corrections)
    values = {"date": latest, "times": times, "fields": ", ".join(fields)}
    if times > 1:
        return (
            ngettext(
                "Corrected on %(date)s (%(times)s correction): %(fields)s.",
                "Corrected on %(date)s (%(times)s corrections): %(fields)s.",
                times,
            )
            % values
        )
    return gettext("Corrected on %(date)s: %(fields)s.") % values


class PageFeed(ClaimFeed):
    """The claims of one page's record, found by the key in its URL (a 404 otherwise)."""

    query_parameters = multiple_parameters = ()
    model = None
    key_field = "slug"
    # The feed's title, %(name)s the page's record.
    what = ""

    def get_object(self, request, key):
        return get_object_or_404(self.model, **{self.key_field: key})

    def title(self, obj):
        return self.what % {"name": obj}

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse(f"{self.model._meta.model_name}-feed", args=[obj.key])


class CountryFeed(PageFeed):
    model = Country
    what = _("wcit: claims about %(name)s")

    def get_object(self, request, key):
        return get_object_or_404(Country, code=Country.key_for(key).upper())

    def claims(self, country):
        return Claim.objects.published().for_country(country)


class ClauseFeed(PageFeed):
    model = Clause
    key_field = "code"
    what = _("wcit: claims about %(name)s")

    def claims(self, clause):
        return Claim.objects.published().for_clause(clause)


class DisputeFeed(PageFeed):
    model = Dispute
    what = _("wcit: claims in the dispute %(name)s")

    def claims(self, dispute):
        """The claims on its sides and those stating its common ground, as its page."""
        sides = Position.claims.through.objects.filter(position__dispute=dispute)
        common = Dispute.common_ground.through.objects.filter(dispute=dispute)
        return Claim.objects.published().filter(
            Q(pk__in=sides.values("claim")) | Q(pk__in=common.values("claim"))
        )


class SpeakerFeed(PageFeed):
    model = Speaker
    what = _("wcit: claims of %(name)s")

    def claims(self, speaker):
        return Claim.objects.published().filter(speaker=speaker)


class SourceFeed(PageFeed):
    model = Source
    what = _("wcit: claims in %(name)s")

    def claims(self, source):
        """The claims of the text and of its replies, as its page marks them."""
        replies = Source.objects.defer("text", "notes", "search_document").descendants_of(source)
        return Claim.objects.published().filter(source__in=[source, *replies])
