"""The WCIT-12 debate: countries, clauses, sources, speakers and the claims tying them together.

Every Claim and every ClauseText is a passage of a Source, anchored by its exact
quote (see ``wcit.anchoring``): the anchor must resolve to exactly one place in
the source's text, or the record is refused.
"""

import re
from collections import defaultdict

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from . import anchoring, cache
from .search import ClaimDocument, SourceDocument


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
            claim_count=Count("claims", filter=Q(claims__status=Claim.Status.PUBLISHED))
        )


# Countries -----------------------------------------------------------------


class CountryQuerySet(ClaimCountsMixin, models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=Country.key_for(code).upper())

    def reported_as(self, status):
        """Countries that some published claim reports as having ``status``.

        A subquery, not a join: a join would repeat each country once per report
        and multiply the counts that ``with_claim_counts`` makes.
        """
        reporting = Claim.countries.through.objects.filter(
            claim__status=Claim.Status.PUBLISHED, claim__signature_status=status
        )
        return self.filter(pk__in=reporting.values("country_id"))

    def with_status_reports(self):
        """Prefetch as ``status_reports`` the published claims reporting each country's
        signature status, oldest source first (undated sources last)."""
        reports = (
            Claim.objects.published()
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
    url_name = "country-detail"

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.code.name

    @property
    def slug(self):
        """The lower-case ISO code used in URLs and fixtures."""
        # The stored code, which the field keeps clean (upper-case alpha-2): going through
        # ``self.code`` builds a django-countries Country, a lookup of names per call.
        return self.key_for(self.__dict__.get("code") or self.code.code)

    # The methods below read ``status_reports`` (``with_status_reports()``): no query.

    def status_groups(self):
        """The reports grouped by status, then by source: [{"status", "label", "claims",
        "sources": [(source, claims), ...]}], the earliest-reported status first."""
        groups = {}
        for claim in self.status_reports:
            group = groups.setdefault(
                claim.signature_status,
                {
                    "status": claim.signature_status,
                    "label": claim.get_signature_status_display(),
                    "claims": [],
                    "by_source": {},
                },
            )
            group["claims"].append(claim)
            group["by_source"].setdefault(claim.source, []).append(claim)
        for group in groups.values():
            group["sources"] = list(group.pop("by_source").items())
        return list(groups.values())

    def latest_report(self):
        """The report from the most recent dated source (else the last undated one)."""
        dated = [claim for claim in self.status_reports if claim.source.published]
        return (dated or self.status_reports or [None])[-1]

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
                filter=Q(claims__status=Claim.Status.PUBLISHED),
                distinct=True,
            )
        )


class Speaker(Keyed):
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
    search_document = models.GeneratedField(
        expression=SourceDocument(),
        output_field=SearchVectorField(),
        db_persist=True,
        help_text="Computed by the database from the text, for search.",
    )

    objects = SourceManager.from_queryset(SourceQuerySet)()
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
    key_field = "code"
    url_name = "clause-detail"

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title

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


# ClaimRelation's Meta.ordering, on the key columns: ordering by the foreign keys
# themselves would join the claims to order by their Meta.ordering.
RELATION_ORDER = ["from_claim_id", "to_claim_id"]


def with_data_keys(claims):
    """Give each of ``claims`` (a list) ``country_keys``, ``clause_keys`` and
    ``relation_rows`` (its relations to other published claims as dicts, those it makes
    first, then those made to it), in three queries of plain values, and return them.

    Values, not prefetched models: building a model per country, clause and relation
    of a page took more time than the rest of an API request at 100,000 claims.
    """
    by_id = {claim.pk: claim for claim in claims}
    made, received = defaultdict(list), defaultdict(list)
    for claim in claims:
        claim.country_keys, claim.clause_keys = [], []
    links = Claim.countries.through.objects.filter(claim__in=by_id)
    for claim_id, code in links.order_by("country__code").values_list("claim", "country__code"):
        by_id[claim_id].country_keys.append(Country.key_for(code))
    links = Claim.clauses.through.objects.filter(claim__in=by_id)
    ordered = links.order_by("clause__position", "clause")
    for claim_id, code in ordered.values_list("claim", "clause__code"):
        by_id[claim_id].clause_keys.append(code)
    published = Claim.Status.PUBLISHED
    relations = ClaimRelation.objects.filter(
        Q(from_claim__in=by_id, to_claim__status=published)
        | Q(to_claim__in=by_id, from_claim__status=published)
    ).order_by(*RELATION_ORDER)
    fields = ["from_claim", "to_claim", "kind", "note", "from_claim__status", "to_claim__status"]
    for source, target, kind, note, source_status, target_status in relations.values_list(*fields):
        if source in by_id and target_status == published:
            made[source].append({"direction": "out", "kind": kind, "claim": target, "note": note})
        if target in by_id and source_status == published:
            received[target].append(
                {"direction": "in", "kind": kind, "claim": source, "note": note}
            )
    for claim in claims:
        claim.relation_rows = made[claim.pk] + received[claim.pk]
    return claims


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
        """What a claim's row in a list shows, in one query: ``ROW_FIELDS`` of the claim,
        its source and its speaker, and its answer counts; nothing else."""
        return self.select_related("speaker", "source").only(*ROW_FIELDS).with_answer_counts()

    def for_data(self):
        """What the API and the downloads give of a claim (``ClaimOut``): with its source
        (whose text resolves the anchor) and speaker. ``with_data_keys`` adds the keys
        of its countries, clauses and relations to a page of them."""
        return self.select_related("speaker").prefetch_related("source").defer("search_document")

    def with_answer_counts(self):
        """Annotate ``rebutted_count`` and ``supported_count``: published claims answering each.

        Subqueries, not joins, so that they count right whatever else is joined.
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

    def counts_by(self, field):
        """{value of ``field``: number of claims} over this selection, in one query."""
        rows = self.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
        return dict(rows)

    def sample_by(self, field, limit, key=None):
        """[(value, count, first claims)] for each value of ``field`` (e.g. "clauses",
        "stance", "source"): its number of claims and its first ``limit`` claims by id,
        ready for a list. Bounded: however many claims there are, a page built from it
        shows at most ``limit`` a group, in a number of queries set by the groups.

        ``key`` names the selection ("country:se"): its counts and chosen ids are then
        kept per data version, as the claim list's facet counts are; rows are read fresh.
        """

        def choose():
            counts = self.counts_by(field)
            ids = {}
            for value in counts:
                lookup = {f"{field}__isnull": True} if value is None else {field: value}
                chosen = self.filter(**lookup).order_by("id").values_list("pk", flat=True)
                ids[value] = list(chosen[:limit])
            return counts, ids

        if key is None:
            counts, ids = choose()
        else:
            counts, ids = cache.per_version(f"sample-{field}", (key, limit), choose)
        rows = Claim.objects.for_rows().in_bulk([pk for group in ids.values() for pk in group])
        return [(value, counts[value], [rows[pk] for pk in ids[value]]) for value in counts]

    def count_per_version(self, key):
        """``count()``, kept per data version under ``key``, which names the selection."""
        return cache.per_version("count", key, self.count)

    def stances_by_country_and_clause(self):
        """{(country key, clause code): {stance or "none": n}} over this selection: one query."""
        links = Claim.countries.through.objects.filter(claim__in=self.order_by().values("pk"))
        rows = (
            links.filter(claim__clauses__isnull=False)
            .values("country__code", "claim__clauses__code", "claim__stance")
            .annotate(n=Count("*"))
            .order_by()
        )
        cells = {}
        for row in rows:
            key = (Country.key_for(row["country__code"]), row["claim__clauses__code"])
            stance = row["claim__stance"] or "none"
            cells.setdefault(key, {})[stance] = row["n"]
        return cells

    def sorted_by(self, order):
        """Claims in ``order``: "source" (each source's claims in reading order), "date"
        (the source's date, undated last) or "answered" (most rebuttals and supports first).
        """
        if order == "answered":
            answers = models.F("rebutted_count") + models.F("supported_count")
            return self.with_answer_counts().order_by(answers.desc(), "id")
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
                    row["stance"] or Claim.NO_STANCE,
                    Claim.Stance(row["stance"]).label if row["stance"] else Claim.NO_STANCE_LABEL,
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
    IN_REVIEW = "in_review", "In review"
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

    # The filter value that selects claims without a stance, and how pages name them.
    NO_STANCE = "none"
    NO_STANCE_LABEL = "No stance"
    # What a stance means, in words, beside a clause's commentary.
    STANCE_MEANINGS = {
        "for": "The speaker supports the text, or the treaty with it in.",
        "against": "The speaker opposes the text, or the treaty because of it.",
        "neutral": "The speaker reports or weighs the text without taking a side.",
        NO_STANCE: "The passage is about the text but says nothing for or against it.",
    }
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
        permissions = [("publish_claim", "Can publish claims (reviewers)")]
        indexes = [
            # Few claims report a signature status; country pages and the map read them.
            models.Index(
                fields=["id"],
                condition=~Q(signature_status=""),
                name="claim_status_report_idx",
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
        return reverse("claim-detail", args=[self.pk])

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


class ClaimEventQuerySet(models.QuerySet):
    def published(self):
        """Events of published claims, with each claim's source."""
        return (
            self.filter(claim__status=Claim.Status.PUBLISHED)
            .select_related("claim__source")
            .defer("claim__source__search_document")
        )


class ClaimEvent(models.Model):
    """When something a claim describes happened, as its source states it: never guessed."""

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

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
        formats = {"day": "%-d %b %Y", "month": "%B %Y", "year": "%Y"}
        return self.happened.strftime(formats[self.precision])

    def clean(self):
        super().clean()
        if self.claim_id and self.evidence and self.evidence not in self.claim.source.text:
            raise ValidationError(
                {
                    "evidence": f"“{self.evidence}” is not in source “{self.claim.source.slug}” "
                    f"of claim #{self.claim_id}: quote the words that state the date."
                }
            )


# Disputes ------------------------------------------------------------------


def _unique(items):
    """``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def with_concerns(disputes):
    """Give each of ``disputes`` (a list) ``concerns``: {"clauses": [...], "countries":
    [...]}, what the published claims on its sides are about, each in the order of the
    first claim naming it (sides in order, then claims by id); return them.

    Two queries of plain values for a page of disputes, and the two small tables: Django's
    many-to-many prefetch of each claim's countries and clauses took 13 ms apiece for the
    300 claims of the dispute list.
    """
    for dispute in disputes:
        dispute.concerns = {}
    stands = Position.claims.through.objects.filter(
        position__dispute__in=disputes, claim__status=Claim.Status.PUBLISHED
    )
    for name, model, order in [
        ("clauses", Clause, "claim__clauses__position"),
        ("countries", Country, "claim__countries__code"),
    ]:
        objects = model.objects.in_bulk()
        rows = stands.filter(**{f"claim__{name}__isnull": False}).order_by(
            "position__order", "position__key", "claim", order
        )
        found = defaultdict(list)
        for dispute_id, pk in rows.values_list("position__dispute", f"claim__{name}"):
            found[dispute_id].append(objects[pk])
        for dispute in disputes:
            dispute.concerns[name] = _unique(found[dispute.pk])
    return disputes


class DisputeQuerySet(SlugNaturalKeyManagerMixin, models.QuerySet):
    def listed_per_version(self, key):
        """These disputes as a list, kept per data version under ``key``, which names the
        selection (``"country:se"``): a page's list of the disputes its subject is in."""
        return cache.per_version("disputes", key, lambda: list(self))

    def involving(self, claims):
        """Disputes in which some of ``claims`` (a queryset) take a position."""
        return self.filter(
            pk__in=Position.claims.through.objects.filter(claim__in=claims).values(
                "position__dispute"
            )
        )

    def facet_counts(self):
        """For each filter of the dispute list, its values with the number of disputes in
        this selection whose published claims have that value. One query per facet."""
        stands = Position.claims.through.objects.filter(
            position__dispute__in=self.order_by().values("pk"),
            claim__status=Claim.Status.PUBLISHED,
        )

        def count(key, label):
            rows = (
                stands.exclude(**{f"{key}__isnull": True})
                .values(key, label)
                # DISTINCT: a dispute counts once however many of its claims match.
                .annotate(n=Count("position__dispute", distinct=True))
                .order_by("-n", key)
            )
            return [(row[key], row[label], row["n"]) for row in rows]

        country_names = dict(countries)
        return {
            "country": [
                (Country.key_for(code), country_names[code], n)
                for code, _label, n in count("claim__countries__code", "claim__countries__code")
            ],
            "clause": count("claim__clauses__code", "claim__clauses__title"),
            "source": count("claim__source__slug", "claim__source__title"),
            "speaker": count("claim__speaker__slug", "claim__speaker__name"),
        }

    def for_list(self):
        """Each dispute with its positions and their published claims, in a fixed number of
        queries: speakers and sources included. The clauses and countries a dispute is
        about are read by ``with_concerns``."""
        # Sources without their text: a side shows a claim's source, its date and a link.
        sources = Source.objects.defer("text", "notes")
        claims = (
            Claim.objects.published()
            .select_related("speaker")
            .prefetch_related(models.Prefetch("source", queryset=sources))
            .defer("search_document")
            .order_by("id")
        )
        return self.prefetch_related(
            models.Prefetch(
                "positions",
                queryset=Position.objects.prefetch_related(
                    models.Prefetch("claims", queryset=claims, to_attr="published_claims")
                ),
            ),
            models.Prefetch("common_ground", queryset=claims, to_attr="published_common_ground"),
        )


class Dispute(Keyed):
    """A disagreement the sources contain: a neutral question and the positions taken on it."""

    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Short stable key used in URLs, e.g. “did-the-final-text-mention-the-internet”.",
    )
    question = models.CharField(
        max_length=300,
        help_text="The disagreement as a neutral question, in no side's words, e.g. “Did the "
        "final text mention the Internet?”",
    )
    summary = models.TextField(
        help_text="Two or three neutral sentences for readers, saying only what the claims say."
    )
    position = models.PositiveSmallIntegerField(
        unique=True, help_text="Order on the dispute list: the most central disputes first."
    )
    common_ground = models.ManyToManyField(
        Claim,
        blank=True,
        related_name="common_ground_in",
        help_text="Claims stating what every side accepts; only where the sources agree.",
    )

    objects = DisputeQuerySet.as_manager()
    url_name = "dispute-detail"
    history = HistoricalRecords(m2m_fields=[common_ground])

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.question

    # The methods below read a ``for_list()`` prefetch: no query of their own.

    def claims(self):
        """Every published claim that takes a position."""
        return [claim for position in self.positions.all() for claim in position.published_claims]

    def clauses(self):
        """The clauses its sides' published claims are about (see ``with_concerns``)."""
        return self._concerns()["clauses"]

    def countries(self):
        """The countries its sides' published claims are about (see ``with_concerns``)."""
        return self._concerns()["countries"]

    def _concerns(self):
        if "concerns" not in self.__dict__:
            with_concerns([self])
        return self.concerns

    def sources(self):
        return _unique(claim.source for claim in self.claims())


class PositionQuerySet(ClaimCountsMixin, models.QuerySet):
    def get_by_natural_key(self, dispute, key):
        return self.get(dispute__slug=dispute, key=key)


class Position(models.Model):
    """One side of a dispute; its claims are those that assert or back it."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="positions")
    key = models.SlugField(
        max_length=60, help_text="Short key, unique within the dispute, e.g. “yes”."
    )
    label = models.CharField(
        max_length=200,
        help_text="What this side's claims say, in a few words, e.g. “No: no provision "
        "mentions it”. Nothing its claims do not say.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Order among the positions.")
    claims = models.ManyToManyField(
        Claim,
        blank=True,
        related_name="positions",
        help_text="Claims whose passage asserts or backs this position. A claim takes at most "
        "one position in a dispute.",
    )

    objects = PositionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[claims])

    class Meta:
        ordering = ["dispute__position", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "key"], name="position_key_per_dispute"),
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.dispute.slug, self.key)

    def speakers(self):
        """Who holds this position, from a ``Dispute.objects.for_list()`` prefetch."""
        return _unique(claim.speaker for claim in self.published_claims if claim.speaker)

    def sources(self):
        return _unique(claim.source for claim in self.published_claims)

    natural_key.dependencies = ["wcit.dispute"]


class KeyFigureQuerySet(models.QuerySet):
    def published(self):
        """Figures whose claim is published: a draft's figure shows nowhere public."""
        return self.filter(claim__status=Claim.Status.PUBLISHED)


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

    objects = KeyFigureQuerySet.as_manager()

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
