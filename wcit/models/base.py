"""What the models share: natural keys and pages, claim counts, passages anchored in a source."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.utils.functional import cached_property

from .. import anchoring
from ..links import detail_url
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
        return detail_url(self.url_name, self.key)

    @property
    def key(self):
        return getattr(self, self.key_field)

    def natural_key(self):
        return (self.key,)


# A list page counts each row's claims up to this many and shows more as "1,000+": more
# than any row of the corpus has (the United States, the most named, has 110).
COUNT_CAP = 1000


class CappedCount(Subquery):
    """How many rows ``queryset`` (a subquery) gives: it reads no more than it is sliced to."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


class ClaimCountsMixin:
    def with_claim_counts(self, cap=None):
        """Annotate ``claim_count``: the published claims of each row.

        Counted over the claims join alone: a filter that needs another join must
        use a subquery (as ``CountryQuerySet.reported_as``), or it multiplies the count.
        With ``cap``, each row's count stops at ``cap + 1`` (a page shows "1,000+"): it
        reads at most that many claims a row, where the exact count reads them all, so a
        page of rows costs the same at a million claims as at ten thousand.
        """
        if cap is None:
            return self.annotate(
                claim_count=Count("claims", filter=Q(claims__status=PublicationStatus.PUBLISHED))
            )
        relation = self.model.claims.field
        claims = relation.model.objects.filter(
            **{relation.name: OuterRef("pk"), "status": PublicationStatus.PUBLISHED}
        )
        return self.annotate(claim_count=CappedCount(claims.order_by().values("pk")[: cap + 1]))

    def claim_counts(self, cap=COUNT_CAP):
        """{pk: published claims} of these rows, each counted up to ``cap + 1``."""
        return dict(self.with_claim_counts(cap).values_list("pk", "claim_count"))


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
