"""Statements a source quotes whole, read in one piece with the claims on them marked."""

from django.db import models
from django.db.models import Value
from django.db.models.functions import StrIndex
from simple_history.models import HistoricalRecords

from .base import Keyed, Passage
from .claims import Claim
from .corpus import Speaker


class StatementQuerySet(models.QuerySet):
    def for_speaker(self, speaker):
        """The statements ``speaker`` made, and those of the delegation they were part of."""
        speakers = [speaker.pk, speaker.delegation_id] if speaker.delegation_id else [speaker.pk]
        return self.filter(speaker__in=speakers).select_related("source", "speaker")


class Statement(Keyed, Passage):
    """A statement a source quotes whole (a delegation's intervention in plenary).

    The claims cut from it are scattered through lists; the statement's page-piece gives it
    back in one piece, in order, each claim still marked in it. The quote is the whole
    statement, anchored like a claim's passage: it must occur exactly once in its source.
    """

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(
        max_length=200,
        help_text="What the source calls the statement, in its words where it has them, e.g. "
        "“Statement of the Head of the U.S. Delegation”.",
    )
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="Whose statement it is, as the source says.",
    )
    notes = models.TextField(
        blank=True,
        help_text="How we know who made it and where, and what the source leaves unsaid (e.g. "
        "that it does not name the head of delegation).",
    )

    objects = StatementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        default_related_name = "statements"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.speaker.get_absolute_url()}#statement-{self.slug}"

    @property
    def label(self):
        return f"Statement “{self.slug}”"

    @property
    def author(self):
        """Whose words the statement is: read as a source's author when the statement is
        shown like a text (its claims' notes then name only other speakers)."""
        return self.speaker

    @property
    def text(self):
        return self.source.text[self.anchor.start : self.anchor.end]

    def claims(self):
        """The published claims whose passage lies inside the statement, in reading order:
        the first of each passage, with ``passage_claims`` (``one_per_passage``)."""
        start, end = self.anchor.start, self.anchor.end
        # Only the claims whose quote occurs in the statement, found by the database;
        # their anchors then say whether this occurrence is theirs.
        quoted = Claim.objects.published().filter(source=self.source_id)
        quoted = quoted.alias(at=StrIndex(Value(self.text), "quote")).filter(at__gt=0)
        inside = []
        for claim in quoted.one_per_passage():
            claim.source = self.source
            if start <= claim.anchor.start and claim.anchor.end <= end:
                inside.append(claim)
        return sorted(inside, key=lambda claim: (claim.anchor.start, claim.pk))
