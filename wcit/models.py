"""The WCIT-12 debate: countries, clauses, sources, speakers and the claims tying them together.

Every Claim and every ClauseText is a passage of a Source, anchored by its exact
quote (see ``wcit.anchoring``): the anchor must resolve to exactly one place in
the source's text, or the record is refused.
"""

import re
from collections import defaultdict

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from . import anchoring
from .search import ClaimDocument


class SlugNaturalKeyManagerMixin:
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


# Countries -----------------------------------------------------------------


class CountryQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code.upper())

    def with_claim_counts(self):
        """Annotate ``claim_count``: published claims about each country."""
        return self.annotate(
            claim_count=Count(
                "claims", filter=Q(claims__status=Claim.Status.PUBLISHED), distinct=True
            )
        )


class Country(models.Model):
    """A state the sources speak of, keyed by its ISO 3166-1 alpha-2 code."""

    code = CountryField(
        unique=True,
        help_text="The ISO 3166-1 country. Its name comes from the ISO list, never typed by hand.",
    )
    notes = models.TextField(
        blank=True,
        help_text="Curators' notes, e.g. how the sources refer to this country.",
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("country-detail", args=[self.slug])

    @property
    def name(self):
        return self.code.name

    @property
    def slug(self):
        """The lower-case ISO code used in URLs and fixtures."""
        return self.code.code.lower()

    def natural_key(self):
        return (self.slug,)


# Speakers ------------------------------------------------------------------


class SpeakerQuerySet(SlugNaturalKeyManagerMixin, models.QuerySet):
    def with_claim_counts(self):
        """Annotate ``claim_count``: published claims this speaker asserts."""
        return self.annotate(
            claim_count=Count("claims", filter=Q(claims__status=Claim.Status.PUBLISHED))
        )

    def with_source_counts(self):
        """Annotate ``source_count``: sources that report this speaker's published claims."""
        return self.annotate(
            source_count=Count(
                "claims__source",
                filter=Q(claims__status=Claim.Status.PUBLISHED),
                distinct=True,
            )
        )


class Speaker(models.Model):
    """Who asserts a claim: a person, a delegation or an organisation."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        DELEGATION = "delegation", "Delegation"
        ORGANISATION = "organisation", "Organisation"

    slug = models.SlugField(
        max_length=100, unique=True, help_text="Short stable key used in URLs, e.g. “terry-kramer”."
    )
    name = models.CharField(
        max_length=200, help_text="The name as the sources give it, e.g. “Kyle Amon, Ph.D”."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(
        max_length=300,
        blank=True,
        help_text="Role as the sources state it, e.g. “President and CEO, ARIN”. Leave empty "
        "rather than guess.",
    )
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="speakers",
        help_text="The country the speaker speaks for or belongs to, where a source says so.",
    )
    notes = models.TextField(
        blank=True,
        help_text="Where the identification comes from, when it is inferred (e.g. named only "
        "in a reply).",
    )

    objects = SpeakerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speaker-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


# Sources -------------------------------------------------------------------


class SourceQuerySet(SlugNaturalKeyManagerMixin, models.QuerySet):
    def descendants_of(self, source):
        """Every reply under ``source``, at any depth, in thread order (one query)."""
        replies = self.filter(parent__isnull=False).select_related("author")
        children = defaultdict(list)
        for reply in replies.order_by("position", "slug"):
            children[reply.parent_id].append(reply)
        ordered, pending = [], list(reversed(children[source.pk]))
        while pending:
            reply = pending.pop()
            ordered.append(reply)
            pending.extend(reversed(children[reply.pk]))
        return ordered

    def with_claim_counts(self):
        """Annotate ``claim_count``: published claims anchored in each source."""
        return self.annotate(
            claim_count=Count("claims", filter=Q(claims__status=Claim.Status.PUBLISHED))
        )


class Source(models.Model):
    """A document of the corpus; each comment of a thread is a Source of its own."""

    class Kind(models.TextChoices):
        NEWS = "news", "News"
        OPINION = "opinion", "Opinion"
        BLOG_POST = "blog_post", "Blog post"
        COMMENT = "comment", "Comment"
        OFFICIAL_STATEMENT = "official_statement", "Official statement"

    slug = models.SlugField(
        max_length=100, unique=True, help_text="Short stable key used in URLs and fixtures."
    )
    title = models.CharField(
        max_length=300,
        help_text="The title the document gives itself; for a comment, a description such as "
        "“Comment 1.1 on …”.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        Speaker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text="Leave empty when the document does not name its author.",
    )
    outlet = models.CharField(
        max_length=200, blank=True, help_text="The publication, only where the text names it."
    )
    published = models.DateField(
        null=True,
        blank=True,
        help_text="Publication date, only where the text states it. Never guess.",
    )
    url = models.URLField(
        "original URL",
        max_length=500,
        blank=True,
        help_text="Only where the text itself gives it. Never construct one.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
        help_text="For a comment: the post or comment it answers.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order among the replies to the same parent (1 for the first)."
    )
    text = models.TextField(
        help_text="The full text, faithful to the document: site chrome may be dropped, "
        "nothing reworded. Claims are anchored in it, so an edit that moves a quoted "
        "passage is refused."
    )
    notes = models.TextField(
        blank=True, help_text="Where each metadata field comes from when it is inferred."
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="source_not_its_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(kind="comment", parent__isnull=False) | ~Q(kind="comment"),
                name="source_comment_has_parent",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.slug])

    @staticmethod
    def tree(sources, root=None):
        """Nest ``sources`` as [(source, [(reply, [...]), ...]), ...] under ``root``.

        Without a root, the sources whose parent is not among them are the roots.
        """
        sources = list(sources)
        present = {source.pk for source in sources} | ({root.pk} if root else set())
        children = defaultdict(list)
        for source in sources:
            parent = source.parent_id if source.parent_id in present else None
            children[parent].append(source)

        def branch(parent_pk):
            items = sorted(children[parent_pk], key=lambda s: (s.position, s.slug))
            return [(item, branch(item.pk)) for item in items]

        return branch(root.pk if root else None)

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        if self.pk:
            self._check_passages_still_resolve()

    def _check_passages_still_resolve(self):
        broken = []
        for passage in [*self.claims.all(), *self.clause_texts.all()]:
            passage.source = self
            try:
                passage.resolve()
            except anchoring.AnchorError as error:
                broken.append(f"{passage.label}: {error}")
        if broken:
            raise ValidationError(
                {"text": [f"This edit would break passages anchored in “{self.slug}”."] + broken}
            )


# Passages: anything anchored by an exact quote in a source -----------------


class Passage(models.Model):
    """An exact quote of a Source, with optional prefix/suffix (TextQuoteSelector)."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, help_text="The document the passage is quoted from."
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


# Clauses -------------------------------------------------------------------


class ClauseQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def with_versions(self):
        """Prefetch each clause's texts, with their sources, as ``versions``."""
        return self.prefetch_related(
            models.Prefetch(
                "texts",
                queryset=ClauseText.objects.select_related("source__author"),
                to_attr="versions",
            )
        )

    def with_claim_counts(self):
        """Annotate ``claim_count``: published claims about each clause."""
        return self.annotate(
            claim_count=Count("claims", filter=Q(claims__status=Claim.Status.PUBLISHED))
        )


class Clause(models.Model):
    """A contested text of the revised ITRs or of the conference's resolutions."""

    class Kind(models.TextChoices):
        PREAMBLE = "preamble", "Preamble"
        ARTICLE = "article", "Treaty article"
        RESOLUTION = "resolution", "Non-binding resolution"

    code = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Short stable key used in URLs and fixtures: “5a”, “resolution”, …",
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(
        unique=True, help_text="Order in the treaty: the preamble first, resolutions last."
    )
    description = models.TextField(
        blank=True,
        help_text="What the clause is about, in a sentence or two, as the sources describe it.",
    )

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("clause-detail", args=[self.code])

    def natural_key(self):
        return (self.code,)

    @property
    def is_binding(self):
        return self.kind != self.Kind.RESOLUTION


class ClauseText(Passage):
    """The clause's text as one source gives it; where sources differ, each version is kept."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="texts")
    verbatim = models.BooleanField(
        default=True,
        help_text="Untick when the source describes the clause rather than quoting its wording.",
    )
    note = models.TextField(
        blank=True, help_text="How this version differs from the others, or why it is partial."
    )

    class Meta:
        ordering = ["clause__position", "-verbatim", "id"]
        default_related_name = "clause_texts"
        constraints = [
            models.UniqueConstraint(
                fields=["clause", "source", "quote"], name="clausetext_unique_per_source"
            ),
        ]

    def __str__(self):
        return f"{self.clause} as quoted in {self.source.slug}"

    @property
    def label(self):
        return f"Text of clause “{self.clause.code}”"


# Claims --------------------------------------------------------------------


class ClaimQuerySet(models.QuerySet):
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
        """Everything a row of a claim list shows, in a fixed number of queries."""
        return self.select_related("source", "speaker", "source__author").prefetch_related(
            "countries", "clauses"
        )

    def by_speakers_from(self, country):
        """Claims whose speaker speaks for or belongs to ``country``."""
        return self.filter(speaker__country=country)

    def with_relations(self):
        """Prefetch the relations to and from other published claims, with those claims."""
        published = Claim.objects.published()
        return self.prefetch_related(
            models.Prefetch(
                "relations_out",
                queryset=ClaimRelation.objects.filter(to_claim__in=published).select_related(
                    "to_claim__source"
                ),
            ),
            models.Prefetch(
                "relations_in",
                queryset=ClaimRelation.objects.filter(from_claim__in=published).select_related(
                    "from_claim__source"
                ),
            ),
        )

    def reporting_status(self):
        """Claims that report a country's signature status."""
        return self.exclude(signature_status="")

    def facet_counts(self):
        """For each filter of the claim list, its values with their counts in this selection.

        One query per facet, whatever the number of claims or values. The
        many-to-many facets count rows of their link tables: each (claim,
        country) pair is stored once, so no DISTINCT is needed, and no
        anti-join that PostgreSQL misestimates on large tables.
        """
        selected = self.order_by().values("pk")
        selection = Claim.objects.filter(pk__in=selected).order_by()

        def count(queryset, *fields):
            return queryset.values(*fields).annotate(n=Count("*")).order_by("-n", fields[0])

        countries_through = Claim.countries.through.objects.filter(claim__in=selected)
        clauses_through = Claim.clauses.through.objects.filter(claim__in=selected)
        country_names = dict(countries)
        return {
            "country": [
                (row["country__code"].lower(), country_names[row["country__code"]], row["n"])
                for row in count(countries_through, "country__code")
            ],
            "clause": [
                (row["clause__code"], row["clause__title"], row["n"])
                for row in count(clauses_through, "clause__code", "clause__title")
            ],
            "source": [
                (row["source__slug"], row["source__title"], row["n"])
                for row in count(selection, "source__slug", "source__title")
            ],
            "speaker": [
                (row["speaker__slug"], row["speaker__name"], row["n"])
                for row in count(
                    selection.filter(speaker__isnull=False), "speaker__slug", "speaker__name"
                )
            ],
            "kind": [
                (row["kind"], Claim.Kind(row["kind"]).label, row["n"])
                for row in count(selection, "kind")
            ],
            "stance": [
                (
                    row["stance"] or "none",
                    Claim.Stance(row["stance"]).label if row["stance"] else "No stance",
                    row["n"],
                )
                for row in count(selection, "stance")
            ],
        }


class ClaimKind(models.TextChoices):
    FACT = "fact", "Fact"
    OPINION = "opinion", "Opinion"
    QUOTE = "quote", "Quote (reported speech)"
    PREDICTION = "prediction", "Prediction"


class ClaimStance(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    NEUTRAL = "neutral", "Neutral"


class SignatureStatus(models.TextChoices):
    SIGNED = "signed", "Signed"
    NOT_SIGNED = "not_signed", "Did not sign"
    UNDECIDED = "undecided", "Undecided"
    WALKED_OUT = "walked_out", "Walked out"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


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
        help_text="Only published claims appear on the public pages.",
    )
    related = models.ManyToManyField(
        "self",
        through="ClaimRelation",
        symmetrical=False,
        related_name="related_from",
        blank=True,
    )

    search_document = models.GeneratedField(
        expression=ClaimDocument(),
        output_field=SearchVectorField(),
        db_persist=True,
        help_text="Computed by the database from the summary and the quote, for search.",
    )

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[countries, clauses], excluded_fields=["search_document"]
    )

    class Meta:
        ordering = ["id"]
        default_related_name = "claims"
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
        return reverse("claim-detail", args=[self.pk])

    @property
    def label(self):
        return f"Claim #{self.pk}" if self.pk else "This claim"

    @property
    def dom_id(self):
        """The id of this claim's ``<mark>`` on its source page."""
        return f"claim-{self.pk}"


class ClaimRelationQuerySet(models.QuerySet):
    def between(self, claim_ids):
        """Relations whose two claims are both among ``claim_ids``, with their claims."""
        return self.filter(from_claim__in=claim_ids, to_claim__in=claim_ids).select_related(
            "from_claim__source", "from_claim__speaker", "to_claim__source", "to_claim__speaker"
        )


class ClaimRelation(models.Model):
    """A typed link between claims that answer each other."""

    class Kind(models.TextChoices):
        SUPPORTS = "supports", "supports"
        REBUTS = "rebuts", "rebuts"

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


class KeyFigure(models.Model):
    """A figure on the overview page, cited from the claim whose passage states it."""

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

    class Meta:
        ordering = ["position"]

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
