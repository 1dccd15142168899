"""What the models share: natural keys and pages, claim counts, passages anchored in a source."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import cached_property

from .. import anchoring
from .choices import PublicationStatus

# The change reason of the history record that holds an object's state before its first
# recorded change (a fixture load writes one for every object): a baseline, not a change.
BASELINE_REASON = "State before the first recorded change"


def unique(items):
    """``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


class SlugNaturalKeyManagerMixin:
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Keyed(models.Model):
    """A browsable record: its key is in its page's URL and in the fixtures that name it."""

    key_field = "slug"
    url_name = None  # the detail page's URL name, e.g. "speaker-detail"

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(self.url_name, args=[self.key])

    @property
    def key(self):
        return getattr(self, self.key_field)

    def natural_key(self):
        return (self.key,)


class ClaimCountsMixin:
    def with_claim_counts(self):
        """Annotate ``claim_count``: the published claims of each row.

        Counted over the claims join alone: a filter that needs another join must
        use a subquery (as ``CountryQuerySet.reported_as``), or it multiplies the count.
        """
        return self.annotate(
            claim_count=Count("claims", filter=Q(claims__status=PublicationStatus.PUBLISHED))
        )


class Passage(models.Model):
    """An exact quote of a Source, with optional prefix/suffix (TextQuoteSelector)."""

    source = models.ForeignKey(
        "wcit.Source",
        on_delete=models.PROTECT,
        help_text="The document the passage is quoted from.",
    )
    quote = models.TextField(
        help_text="The exact passage, copied character for character from the source text "
        "(curly quotes, dashes and double spaces included)."
    )
    prefix = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if the quote occurs more than once: the text just before it.",
    )
    suffix = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if the quote occurs more than once: the text just after it.",
    )

    class Meta:
        abstract = True

    @property
    def label(self):
        raise NotImplementedError

    def resolve(self):
        """The passage's ``Anchor`` in its source; raises ``AnchorError``."""
        return anchoring.resolve(self.source.text, self.quote, self.prefix, self.suffix)

    @cached_property
    def anchor(self):
        return self.resolve()

    def anchor_error(self):
        """A message naming this record and its source, or None if the anchor resolves."""
        try:
            self.resolve()
        except anchoring.AnchorError as error:
            return f"{self.label} in source “{self.source.slug}”: {error}"
        return None

    def clean(self):
        super().clean()
        if self.source_id is None or not self.quote:
            return
        message = self.anchor_error()
        if message:
            raise ValidationError({"quote": message})
