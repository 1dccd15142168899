"""What pages cite from a claim's passage: the dates of events and the home page's figures."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from ..formats import long_date
from .chronology import DATE_FORMATS
from .claims import Claim

# The occasion of the events that date the end of the conference.
CLOSE = "conference-breaks-down"


@dataclass
class Closing:
    """When the conference ended, as the sources date it: [(date, [sources])], earliest
    first. The sources disagree (13 or 14 December 2012), so a report is placed against
    every date they give."""

    dates: list

    def relation(self, day):
        """ "before", "at" (on or between the dates the sources give), "after", or None when
        ``day`` is unknown or no source dates the close."""
        if day is None or not self.dates:
            return None
        if day < self.dates[0][0]:
            return "before"
        return "after" if day > self.dates[-1][0] else "at"

    def words(self):
        """ "13 December 2012 (CDT; Mueller) or 14 December 2012 (WSWS)", naming each source
        by its author, else its outlet, else its title."""
        return pgettext("before the last item of a list", " or ").join(
            f"{long_date(day)} ({'; '.join(source.credited_to for source in sources)})"
            for day, sources in self.dates
        )


class ClaimEventQuerySet(models.QuerySet):
    def published(self):
        """Events of published claims, with each claim's source."""
        return (
            self.filter(claim__status=Claim.Status.PUBLISHED)
            .select_related("claim__source")
            .defer("claim__source__search_document")
        )

    def closing(self):
        """The dates the published claims give for the end of the conference (``CLOSE``)."""
        events = self.published().filter(occasion=CLOSE).select_related("claim__source__author")
        by_day = {}
        for event in events.order_by("happened", "claim"):
            sources = by_day.setdefault(event.happened, [])
            if event.claim.source not in sources:
                sources.append(event.claim.source)
        return Closing(sorted(by_day.items(), key=lambda item: item[0]))


class ClaimEvent(models.Model):
    """When something a claim describes happened, as its source states it: never guessed."""

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    happened = models.DateField(
        help_text="The date the source states. For a month or a year, its first day, with "
        "the precision saying so."
    )
    precision = models.CharField(max_length=10, choices=Precision.choices, default=Precision.DAY)
    what = models.CharField(max_length=200, help_text="The event, in a few plain words.")
    occasion = models.SlugField(
        max_length=60,
        blank=True,
        help_text="A key shared by the events of different claims that are the same happening "
        "(e.g. “conference-breaks-down”), so that differing dates are shown side by side.",
    )
    evidence = models.CharField(
        max_length=300,
        help_text="The exact words of the source that state the date: they must occur in it.",
    )
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the date was read, where the words are relative (“today” in a report "
        "dated 13 December 2012).",
    )

    objects = ClaimEventQuerySet.as_manager()
    # Curated in the claim form: a revert of the claim restores its events too.
    history = HistoricalRecords()

    class Meta:
        ordering = ["happened", "claim", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(precision__in=["day", "month", "year"]),
                name="claimevent_precision_valid",
            ),
        ]

    def __str__(self):
        return f"{self.what} ({self.display_date})"

    @property
    def display_date(self):
        return date_format(self.happened, DATE_FORMATS[self.precision])

    def clean(self):
        super().clean()
        if self.claim_id and self.evidence and self.evidence not in self.claim.source.text:
            raise ValidationError(
                {
                    "evidence": f"“{self.evidence}” is not in source “{self.claim.source.slug}” "
                    f"of claim #{self.claim_id}: quote the words that state the date."
                }
            )


class KeyFigureQuerySet(models.QuerySet):
    def published(self):
        """Figures whose claim is published: a draft's figure shows nowhere public."""
        return self.filter(claim__status=Claim.Status.PUBLISHED)

    def signature_totals(self):
        """The totals of signatures and refusals the sources give, with their claims."""
        return self.published().filter(topic=KeyFigure.Topic.SIGNATURES).select_related("claim")


class KeyFigure(models.Model):
    """A figure on the overview page, cited from the claim whose passage states it."""

    class Topic(models.TextChoices):
        SIGNATURES = "signatures", _("Who signed")
        VOTES = "votes", _("Votes")
        CONFERENCE = "conference", _("The conference")

    value = models.CharField(
        max_length=40,
        help_text="The figure as the passage states it, e.g. “89” or “77 for, 33 against, "
        "8 abstentions”. Every number in it must be in the claim's quote.",
    )
    label = models.CharField(
        max_length=200, help_text="What the figure counts, e.g. “states signed the treaty”."
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        related_name="key_figures",
        help_text="The claim whose passage states the figure.",
    )
    position = models.PositiveSmallIntegerField(
        unique=True, help_text="Order on the overview page."
    )
    topic = models.CharField(
        max_length=20,
        choices=Topic.choices,
        default=Topic.CONFERENCE,
        help_text="What the figure is about. The totals of signatures are also shown beside "
        "the map of reported status, so that a reader sees what the map counts and what not.",
    )

    objects = KeyFigureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__in=["signatures", "votes", "conference"]),
                name="keyfigure_topic_valid",
            ),
        ]

    def __str__(self):
        return f"{self.value} {self.label}"

    def clean(self):
        super().clean()
        if self.claim_id is None:
            return
        missing = [n for n in re.findall(r"\d[\d,.]*", self.value) if n not in self.claim.quote]
        if missing:
            raise ValidationError(
                {
                    "value": f"{', '.join(missing)} is not in the quote of claim #{self.claim_id} "
                    f"(“{self.claim.quote}”)."
                }
            )
