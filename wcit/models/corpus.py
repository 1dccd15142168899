"""The corpus: the countries, speakers, sources and clauses that claims are about.

Every ClauseText (like every Claim) is a passage of a Source, anchored by its exact
quote (see ``wcit.anchoring``): the anchor must resolve to exactly one place in the
source's text, or the record is refused.
"""

from collections import defaultdict

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .. import anchoring
from .base import ClaimCountsMixin, Keyed, Passage, SlugNaturalKeyManagerMixin
from .choices import PublicationStatus, SignatureStatus
from .documents import SourceDocument

# Countries -----------------------------------------------------------------


class CountryQuerySet(ClaimCountsMixin, models.QuerySet):
    def in_map_status(self, statuses):
        """Countries whose ``map_status()`` is one of ``statuses``: the countries the map's
        legend counts for each (two queries, whatever the number of countries)."""
        every = self.model.objects.with_status_reports()
        chosen = [country.pk for country in every if country.map_status() in statuses]
        return self.filter(pk__in=chosen)

    def get_by_natural_key(self, code):
        return self.get(code=Country.key_for(code).upper())

    def by_name(self):
        """These countries as a list in the order of their names, as a reader looks for one
        in a menu (the names come from the ISO list, not the database: sorted here)."""
        return sorted(self, key=lambda country: country.name.casefold())

    def reported_as(self, status):
        """Countries that some published claim reports as having ``status``.

        A subquery, not a join: a join would repeat each country once per report
        and multiply the counts that ``with_claim_counts`` makes.
        """
        reporting = self.model.claims.through.objects.filter(
            claim__status=PublicationStatus.PUBLISHED, claim__signature_status=status
        )
        return self.filter(pk__in=reporting.values("country_id"))

    def with_status_reports(self):
        """Prefetch as ``status_reports`` the published claims reporting each country's
        signature status, oldest source first (undated sources last)."""
        # The Claim model, through its link to countries: wcit.models.claims imports this
        # module, not the reverse.
        claims = self.model.claims.field.model
        reports = (
            claims.objects.published()
            .reporting_status()
            .select_related("source")
            .defer("source__text", "source__notes", "source__search_document")
            .order_by(models.F("source__published").asc(nulls_last=True), "id")
        )
        return self.prefetch_related(
            models.Prefetch("claims", queryset=reports, to_attr="status_reports")
        )


class Country(Keyed):
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
    history = HistoricalRecords()
    url_name = "country-detail"
    # The statuses the map, the list, the filter and the badges show, in the legend's order.
    MAP_STATUSES = [
        (SignatureStatus.SIGNED.value, SignatureStatus.SIGNED.label),
        (SignatureStatus.NOT_SIGNED.value, SignatureStatus.NOT_SIGNED.label),
        (SignatureStatus.WALKED_OUT.value, SignatureStatus.WALKED_OUT.label),
        (SignatureStatus.UNDECIDED.value, SignatureStatus.UNDECIDED.label),
        ("disputed", _("Sources disagree")),
        ("named", _("Named, no status reported")),
    ]
    # The statuses that say a country refused to sign: it did not, or it walked out.
    REFUSALS = (SignatureStatus.NOT_SIGNED.value, SignatureStatus.WALKED_OUT.value)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The country's name from the ISO list, in the active language. Kept on the
        instance for that language: a page names one country many times (its row, the map,
        the menus, the sort), and each name read through the field builds a django-countries
        Country and translates its name again. (Keyed on the code too: a form may change it.)"""
        key = (self.__dict__.get("code"), get_language())
        names = self.__dict__.setdefault("_names", {})
        if key not in names:
            names[key] = self.code.name
        return names[key]

    @property
    def slug(self):
        """The lower-case ISO code used in URLs and fixtures."""
        # The stored code, which the field keeps clean (upper-case alpha-2): going through
        # ``self.code`` builds a django-countries Country, a lookup of names per call.
        return self.key_for(self.__dict__.get("code") or self.code.code)

    # The methods below read ``status_reports`` (``with_status_reports()``): no query.

    def status_groups(self):
        """The reports grouped by status, then by source: [{"status", "label", "claims",
        "sources": [(source, claims), ...], "latest"}], the earliest-reported status first;
        "latest" is the report from the latest dated source (else the last undated)."""
        groups = {}
        for claim in self.status_reports:
            group = groups.setdefault(
                claim.signature_status,
                {
                    "status": claim.signature_status,
                    "label": claim.signature_status_label,
                    "claims": [],
                    "by_source": {},
                },
            )
            group["claims"].append(claim)
            group["by_source"].setdefault(claim.source, []).append(claim)
        for group in groups.values():
            group["sources"] = list(group.pop("by_source").items())
            dated = [claim for claim in group["claims"] if claim.source.published]
            group["latest"] = (dated or group["claims"])[-1]
        return list(groups.values())

    def latest_report(self):
        """The report from the most recent dated source (else the last undated one)."""
        dated = [claim for claim in self.status_reports if claim.source.published]
        return (dated or self.status_reports or [None])[-1]

    def decided(self):
        """Whether some source reports a decision (signed, did not sign, walked out), not
        only that the country was undecided."""
        return any(claim.signature_status != "undecided" for claim in self.status_reports)

    def map_status(self):
        """The one status the map, the list, the filter and the badges show: the reported
        status (``reported_status``), or "named" where no source reports one."""
        return self.reported_status() or "named"

    def reported_status(self):
        """One status for the map: "disputed" where some source says it signed and another
        that it did not; otherwise the latest report's ("walked_out" over "not_signed"
        when both stand, being the more specific). None when no source reports one."""
        statuses = {claim.signature_status for claim in self.status_reports}
        if not statuses:
            return None
        if "signed" in statuses and statuses & {"not_signed", "walked_out"}:
            return "disputed"
        latest = self.latest_report().signature_status
        if latest == "not_signed" and "walked_out" in statuses:
            return "walked_out"
        return latest

    @staticmethod
    def key_for(code):
        """The one rule for a country code's case: lower-case in URLs, filters and fixtures."""
        return code.strip().lower() if code else code


# Speakers ------------------------------------------------------------------


class SpeakerQuerySet(ClaimCountsMixin, SlugNaturalKeyManagerMixin, models.QuerySet):
    def with_source_counts(self):
        """Annotate ``source_count``: sources that report this speaker's published claims."""
        # DISTINCT because many claims share a source: it counts sources, not claims.
        return self.annotate(
            source_count=Count(
                "claims__source",
                filter=Q(claims__status=PublicationStatus.PUBLISHED),
                distinct=True,
            )
        )


class Speaker(Keyed):
    """Who asserts a claim: a person, a delegation or an organisation."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        DELEGATION = "delegation", _("Delegation")
        ORGANISATION = "organisation", _("Organisation")

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
    delegation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": "delegation"},
        help_text="For a person, the delegation they were part of at the conference, where a "
        "source says so (“Full UK delegate”). Their page then shows the delegation's statements.",
    )

    objects = SpeakerQuerySet.as_manager()
    url_name = "speaker-detail"
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Sources -------------------------------------------------------------------


class SourceManager(models.Manager):
    def get_queryset(self):
        # The stored search vector is about as large as the text, and only search reads
        # it, inside the database: never fetched unless asked for.
        return super().get_queryset().defer("search_document")


class SourceQuerySet(ClaimCountsMixin, SlugNaturalKeyManagerMixin, models.QuerySet):
    def dated(self):
        """Sources whose text states their date."""
        return self.exclude(published=None)

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


class Source(Keyed):
    """A document of the corpus; each comment of a thread is a Source of its own."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        OPINION = "opinion", _("Opinion")
        BLOG_POST = "blog_post", _("Blog post")
        COMMENT = "comment", _("Comment")
        OFFICIAL_STATEMENT = "official_statement", _("Official statement")

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
    search_document = models.GeneratedField(
        expression=SourceDocument(),
        output_field=SearchVectorField(),
        db_persist=True,
        help_text="Computed by the database from the text, for search.",
    )

    objects = SourceManager.from_queryset(SourceQuerySet)()
    history = HistoricalRecords(excluded_fields=["search_document"])
    url_name = "source-detail"

    class Meta:
        ordering = ["slug"]
        # A claim's source, fetched on its own or prefetched, leaves the vector too.
        base_manager_name = "objects"
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

    @property
    def credited_to(self):
        """Who a reader credits the source to: its author, else its outlet, else its title."""
        return self.author.name if self.author else self.outlet or self.title

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

    def clean(self):
        super().clean()
        if self.pk:
            self._check_passages_still_resolve()

    def _check_passages_still_resolve(self):
        broken = []
        for passage in [*self.claims.all(), *self.clause_texts.all(), *self.statements.all()]:
            passage.source = self
            try:
                passage.resolve()
            except anchoring.AnchorError as error:
                broken.append(f"{passage.label}: {error}")
        if broken:
            raise ValidationError(
                {"text": [f"This edit would break passages anchored in “{self.slug}”."] + broken}
            )


# Clauses -------------------------------------------------------------------


class ClauseQuerySet(ClaimCountsMixin, models.QuerySet):
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


class Clause(Keyed):
    """A contested text of the revised ITRs or of the conference's resolutions."""

    class Kind(models.TextChoices):
        PREAMBLE = "preamble", _("Preamble")
        ARTICLE = "article", _("Treaty article")
        RESOLUTION = "resolution", _("Non-binding resolution")

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
    history = HistoricalRecords()
    key_field = "code"
    url_name = "clause-detail"

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title

    @property
    def is_binding(self):
        return self.kind != self.Kind.RESOLUTION

    # A narrow heading shortens the code: these words to their abbreviation, a number as it
    # is ("5a" -> "5A", "article-1" -> "Art. 1"), other words to initials ("human-rights" -> "HR").
    SHORT_WORDS = {
        "article": pgettext_lazy("short for Article", "Art."),
        "preamble": pgettext_lazy("short for Preamble", "Pre."),
        "resolution": pgettext_lazy("short for Resolution", "Res."),
    }

    @property
    def short_title(self):
        """A few characters for a narrow column heading, from the code: "5A", "Art. 1", "Res."."""
        first, *rest = self.code.split("-")
        numbers = " ".join(word.upper() for word in rest if len(word) <= 3)
        initials = "".join(word[0].upper() for word in rest if len(word) > 3)
        parts = (str(self.SHORT_WORDS.get(first, first.upper())), numbers, initials)
        return " ".join(part for part in parts if part)


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

    history = HistoricalRecords()

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
