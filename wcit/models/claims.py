"""Claims: what a source asserts, anchored to the passage that asserts it, and how
claims answer each other."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..links import detail_url
from .answers import AnswerCountQuerySetMixin
from .base import BASELINE_REASON, Passage
from .choices import ClaimKind, ClaimStance, PublicationStatus, SignatureStatus
from .chronology import ChronologyQuerySetMixin
from .comparison import ComparisonQuerySetMixin
from .corpus import Clause, Country, Speaker
from .documents import ClaimDocument
from .grouping import GroupingQuerySetMixin
from .publication import PublicationQuerySetMixin

# What a claim's row shows (templates/wcit/_claim_rows.html): for_rows() reads these
# fields and no others.
ROW_FIELDS = [
    "kind",
    "summary",
    "quote",
    "stance",
    "source__slug",
    "source__title",
    "source__published",
    "speaker__slug",
    "speaker__name",
]


class ClaimQuerySet(
    AnswerCountQuerySetMixin,
    GroupingQuerySetMixin,
    PublicationQuerySetMixin,
    ChronologyQuerySetMixin,
    ComparisonQuerySetMixin,
    models.QuerySet,
):
    def published(self):
        """Claims readers may see."""
        return self.filter(status=Claim.Status.PUBLISHED)

    def for_country(self, country):
        """Claims about ``country``."""
        return self.filter(countries=country)

    def for_clause(self, clause):
        """Claims about ``clause``."""
        return self.filter(clauses=clause)

    def for_list(self):
        """Everything a row of a claim list shows, in a fixed number of queries.

        Sources are prefetched, not joined: a few sources hold every claim, and a
        join would copy a source's whole text onto each of its claims' rows.
        """
        return (
            self.select_related("speaker")
            .prefetch_related("source__author", "countries", "clauses")
            .defer("search_document")
            .with_answer_counts()
        )

    def for_rows(self):
        """What a claim's row in a list shows, in two queries: ``ROW_FIELDS`` of the claim,
        its source and its speaker, its answer counts, and who answered it; nothing else."""
        return (
            self.select_related("speaker", "source")
            .only(*ROW_FIELDS)
            .with_answer_counts()
            .with_answerers()
        )

    def with_answerers(self):
        """Prefetch ``answers``: the published claims answering each, with their speakers,
        for rows that name who rebutted or supported them (``Claim.answerers``)."""
        answering = (
            ClaimRelation.objects.filter(from_claim__status=Claim.Status.PUBLISHED)
            .select_related("from_claim__speaker")
            .only("kind", "to_claim", "from_claim__speaker__slug", "from_claim__speaker__name")
            .order_by("id")
        )
        return self.prefetch_related(
            models.Prefetch("relations_in", queryset=answering, to_attr="answers")
        )

    def for_data(self):
        """What the API and the downloads give of a claim (``ClaimOut``): with its source
        (whose text resolves the anchor) and speaker. ``with_data_keys`` adds the keys
        of its countries, clauses and relations to a page of them."""
        return self.select_related("speaker").prefetch_related("source").defer("search_document")

    def with_answer_counts(self):
        """Annotate ``rebutted_count`` and ``supported_count``: published claims answering each.

        Subqueries, not joins, so that they count right whatever else is joined. Their sum
        is the stored ``answer_count`` (``wcit.models.answers``), which orders the lists.
        """

        def answers(kind):
            answering = ClaimRelation.objects.filter(
                to_claim=models.OuterRef("pk"),
                kind=kind,
                from_claim__status=Claim.Status.PUBLISHED,
            )
            counted = answering.order_by().values("to_claim").annotate(n=Count("*"))
            return Coalesce(models.Subquery(counted.values("n")), 0)

        return self.annotate(rebutted_count=answers("rebuts"), supported_count=answers("supports"))

    def one_per_passage(self):
        """The first claim (lowest id) of each distinct passage, with ``passage_claims``: how
        many claims of this selection share it. A page marks each passage once, however many
        claims quote it."""
        passages = (
            self.order_by()
            .values("source", "quote", "prefix", "suffix")
            .annotate(first=models.Min("id"), n=Count("id"))
            .values_list("first", "n")
        )
        shared = dict(passages)
        claims = list(Claim.objects.filter(pk__in=shared).select_related("speaker"))
        for claim in claims:
            claim.passage_claims = shared[claim.pk]
        return claims

    def same_passage_as(self, claim):
        """Claims quoting the same passage of the same source as ``claim``."""
        return self.filter(
            source=claim.source_id, quote=claim.quote, prefix=claim.prefix, suffix=claim.suffix
        )

    def sorted_by(self, order):
        """Claims in ``order``: "source" (each source's claims in reading order), "date"
        (the source's date, undated last) or "answered" (most rebuttals and supports first).
        """
        if order == "answered":
            # The stored count, not with_answer_counts(): an index walk (claim_answered_idx)
            # that stops at the page, where counting would visit every claim selected.
            return self.order_by("-answer_count", "id")
        if order == "date":
            return self.order_by(models.F("source__published").asc(nulls_last=True), "id")
        # Claims were drafted passage by passage, so within a source id follows the text.
        return self.order_by("source__slug", "id")

    def answered(self, how):
        """Claims that some published claim rebuts (``how="rebutted"``), supports
        (``"supported"``) or either (``"any"``)."""
        kinds = {"rebutted": ["rebuts"], "supported": ["supports"], "any": ["rebuts", "supports"]}
        return self.filter(
            models.Exists(
                ClaimRelation.objects.filter(
                    to_claim=models.OuterRef("pk"),
                    kind__in=kinds[how],
                    from_claim__status=Claim.Status.PUBLISHED,
                )
            )
        )

    def by_speakers_from(self, country):
        """Claims whose speaker speaks for or belongs to ``country``."""
        # The speakers' ids, not a join: joined, PostgreSQL guesses how many claims a
        # country's speakers have, and for a country with none it walks every claim.
        speakers = Speaker.objects.filter(country=country).values_list("pk", flat=True)
        return self.filter(speaker__in=list(speakers))

    def with_change_dates(self):
        """Annotate ``changed_at`` and ``first_recorded``: the latest and the first recorded
        change of each claim in its history, baselines (its state as loaded) left out; None
        for a claim unchanged since it was loaded."""
        changes = self.model.history.model.objects.filter(id=models.OuterRef("pk")).exclude(
            history_change_reason=BASELINE_REASON
        )
        return self.annotate(
            changed_at=models.Subquery(
                changes.order_by("-history_date").values("history_date")[:1]
            ),
            first_recorded=models.Subquery(
                changes.order_by("history_date").values("history_date")[:1]
            ),
        )

    def reporting_status(self):
        """Claims that report a country's signature status."""
        return self.exclude(signature_status="")

    def dated_status_reports(self):
        """Status reports from dated sources, oldest first, with their sources and countries."""
        return (
            self.reporting_status()
            .exclude(source__published=None)
            .select_related("source")
            .defer("source__search_document")
            .prefetch_related("countries")
            .order_by("source__published", "id")
        )


class Claim(Passage):
    """Something a source asserts, anchored to the exact passage that asserts it."""

    # Defined at module level so that Meta.constraints can name their values.
    Kind = ClaimKind
    Stance = ClaimStance
    SignatureStatus = SignatureStatus
    Status = PublicationStatus

    summary = models.CharField(
        max_length=500,
        help_text="One plain sentence saying what the passage says and no more. Attribute "
        "opinions (“Mueller argues …”).",
    )
    speaker = models.ForeignKey(
        Speaker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Who asserts it. For reported speech, the person quoted, not the reporter. "
        "Empty only when the source's author is unnamed.",
    )
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="claims",
        help_text="Every country the passage is about.",
    )
    clauses = models.ManyToManyField(
        Clause,
        blank=True,
        related_name="claims",
        help_text="Every clause the passage is about.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    stance = models.CharField(
        max_length=20,
        choices=Stance.choices,
        blank=True,
        help_text="Toward the clause(s) or the treaty, as the passage justifies it. Leave "
        "empty where no stance applies: never guess.",
    )
    signature_status = models.CharField(
        max_length=20,
        choices=SignatureStatus.choices,
        blank=True,
        help_text="Only when the passage reports that its countries signed, did not sign, "
        "were undecided or walked out. Applies to every country of the claim.",
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only published claims appear on the public pages. Curators submit a claim "
        "for review; a reviewer publishes it.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a reviewer last published it."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The reviewer who last published it.",
    )
    related = models.ManyToManyField(
        "self",
        through="ClaimRelation",
        symmetrical=False,
        related_name="related_from",
        blank=True,
    )

    # What readers see of a claim: a later save that changes one of these corrects it, and
    # its feed entry says so (``wcit.models.publication``). Its status is curation.
    READER_FIELDS = [
        "summary",
        "quote",
        "prefix",
        "suffix",
        "source",
        "speaker",
        "countries",
        "clauses",
        "kind",
        "stance",
        "signature_status",
    ]
    # The filter value that selects claims without a stance, and how pages name them.
    NO_STANCE = "none"
    NO_STANCE_LABEL = _("No stance")
    # What a stance means, in words, beside a clause's commentary.
    STANCE_MEANINGS = {
        "for": _("The speaker supports the text, or the treaty with it in."),
        "against": _("The speaker opposes the text, or the treaty because of it."),
        "neutral": _("The speaker reports or weighs the text without taking a side."),
        NO_STANCE: _("The passage is about the text but says nothing for or against it."),
    }
    answer_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many published claims rebut or support it. Kept by the site "
        "(wcit.models.answers), never edited: the lists' default order reads it.",
    )
    search_document = models.GeneratedField(
        expression=ClaimDocument(),
        output_field=SearchVectorField(),
        db_persist=True,
        help_text="Computed by the database from the summary and the quote, for search.",
    )

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[countries, clauses], excluded_fields=["search_document", "answer_count"]
    )

    class Meta:
        ordering = ["id"]
        default_related_name = "claims"
        permissions = [("publish_claim", "Can publish claims (reviewers)")]
        indexes = [
            # Few claims report a signature status; country pages and the map read them.
            models.Index(
                fields=["id"],
                condition=~Q(signature_status=""),
                name="claim_status_report_idx",
            ),
            # Counting a row's published claims (``with_claim_counts``) reads each claim's
            # status: here, without visiting the table. On PostgreSQL it holds each claim's
            # source and signature status too, for a country's record (migration 0022).
            models.Index(
                fields=["id"],
                condition=Q(status=PublicationStatus.PUBLISHED),
                name="claim_published_idx",
            ),
            # The lists' default order, most answered first (``sorted_by("answered")``):
            # read in index order, a page stops after its rows.
            models.Index(
                fields=["-answer_count", "id"],
                condition=Q(status=PublicationStatus.PUBLISHED),
                name="claim_answered_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ClaimKind.values), name="claim_kind_valid"),
            models.CheckConstraint(
                condition=Q(stance__in=["", *ClaimStance.values]), name="claim_stance_valid"
            ),
            models.CheckConstraint(
                condition=Q(signature_status__in=["", *SignatureStatus.values]),
                name="claim_signature_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PublicationStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="claim_quote_not_empty"),
        ]

    def __str__(self):
        return f"#{self.pk}: {self.summary}" if self.pk else self.summary

    def get_absolute_url(self):
        return detail_url("claim-detail", self.pk)

    # How many answering speakers a row names before "and N more".
    ANSWERERS_SHOWN = 3

    def answerers(self, kind):
        """[(speaker or None, first answering claim)] of the claims that ``kind`` (rebut or
        support) this one, one per speaker, from ``with_answerers``."""
        first = {}
        for relation in getattr(self, "answers", ()):
            if relation.kind == kind:
                first.setdefault(relation.from_claim.speaker_id, relation.from_claim)
        return [(claim.speaker, claim) for claim in first.values()]

    @property
    def rebutters(self):
        return self.answerers(ClaimRelation.Kind.REBUTS)

    @property
    def supporters(self):
        return self.answerers(ClaimRelation.Kind.SUPPORTS)

    @property
    def label(self):
        return f"Claim #{self.pk}" if self.pk else "This claim"

    def mark_published(self, user):
        """Set the status to published, recording who published it and when (not saved)."""
        self.status = self.Status.PUBLISHED
        self.published_at = timezone.now()
        self.published_by = user

    @property
    def dom_id(self):
        """The id of this claim's ``<mark>`` on its source page."""
        return f"claim-{self.pk}"

    @property
    def passage_url(self):
        """The passage, marked, on its source's page.

        A passage several claims quote is marked once, under the first of them: a view
        that knows it sets ``passage_anchor`` (see ``ClaimDetailView``).
        """
        anchor = getattr(self, "passage_anchor", None) or self.pk
        return f"{self.source.get_absolute_url()}#claim-{anchor}"

    @property
    def stance_label(self):
        # The enum's label, not get_stance_display(), which flattens the choices each call:
        # a list asks every row.
        return self.Stance(self.stance).label if self.stance else self.NO_STANCE_LABEL

    @property
    def kind_label(self):
        """``get_kind_display()``, by the enum (see ``stance_label``)."""
        return self.Kind(self.kind).label

    @property
    def signature_status_label(self):
        """``get_signature_status_display()``, by the enum (see ``stance_label``): the country
        list asks it of every report, several times over."""
        return SignatureStatus(self.signature_status).label if self.signature_status else ""


class ClaimRelationQuerySet(models.QuerySet):
    def published(self):
        """Relations between two published claims."""
        published = Claim.Status.PUBLISHED
        return self.filter(from_claim__status=published, to_claim__status=published)

    def across_speakers(self, speaker):
        """Published relations between ``speaker``'s claims and another speaker's: who
        answered them, and whom they answered (a speaker's answers to themself are not an
        exchange)."""
        mine = Q(from_claim__speaker=speaker) | Q(to_claim__speaker=speaker)
        return (
            self.published()
            .filter(mine)
            .exclude(from_claim__speaker=models.F("to_claim__speaker"))
            .exclude(from_claim__speaker__isnull=True, to_claim__speaker__isnull=True)
        )

    def counts_by_speakers(self):
        """{(answering speaker id, answered speaker id, kind): n} over these relations."""
        rows = (
            self.order_by()
            .values_list("from_claim__speaker", "to_claim__speaker", "kind")
            .annotate(n=Count("pk"))
        )
        return {(a, b, kind): n for a, b, kind, n in rows}

    def between(self, claim_ids):
        """Relations whose two claims are both among ``claim_ids``, with their claims."""
        return self.filter(from_claim__in=claim_ids, to_claim__in=claim_ids).select_related(
            "from_claim__source", "from_claim__speaker", "to_claim__source", "to_claim__speaker"
        )


class ClaimRelation(models.Model):
    """A typed link between claims that answer each other."""

    class Kind(models.TextChoices):
        SUPPORTS = "supports", _("supports")
        REBUTS = "rebuts", _("rebuts")

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_out")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(
        max_length=300, blank=True, help_text="Why the one answers the other, if not obvious."
    )

    objects = ClaimRelationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_claim", "to_claim"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_claim", "to_claim"], name="claimrelation_one_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(from_claim=models.F("to_claim")), name="claimrelation_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"#{self.from_claim_id} {self.get_kind_display()} #{self.to_claim_id}"
