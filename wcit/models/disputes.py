"""Disputes: disagreements the sources contain, as neutral questions, and the sides
claims take on them."""

from collections import defaultdict

from django.db import models
from django.db.models import Count
from django_countries import countries
from simple_history.models import HistoricalRecords

from .base import ClaimCountsMixin, Keyed, SlugNaturalKeyManagerMixin, unique
from .claims import Claim
from .corpus import Clause, Country, Source


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
            dispute.concerns[name] = unique(found[dispute.pk])
    return disputes


class DisputeQuerySet(SlugNaturalKeyManagerMixin, models.QuerySet):
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
            _sides(claims),
            models.Prefetch("common_ground", queryset=claims, to_attr="published_common_ground"),
        )

    def for_rows(self):
        """What a row of the dispute list shows, in a fixed number of queries: each side
        with its published claims' speakers and sources (slug and name or title), and no
        common ground. ``for_list()`` read every field of some 300 claims, their speakers
        and sources for it: 9.4 of the page's 32 ms of CPU; this takes 6."""
        sources = Source.objects.only("slug", "title")
        claims = (
            Claim.objects.published()
            .select_related("speaker")
            .prefetch_related(models.Prefetch("source", queryset=sources))
            .only("source", "speaker__slug", "speaker__name")
            .order_by("id")
        )
        return self.prefetch_related(_sides(claims))


def _sides(claims):
    """Each dispute's positions, each with ``claims`` as its ``published_claims``."""
    return models.Prefetch(
        "positions",
        queryset=Position.objects.prefetch_related(
            models.Prefetch("claims", queryset=claims, to_attr="published_claims")
        ),
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
        return unique(claim.source for claim in self.claims())


class PositionQuerySet(ClaimCountsMixin, models.QuerySet):
    def get_by_natural_key(self, dispute, key):
        return self.get(dispute__slug=dispute, key=key)

    def counts_by_country(self, countries):
        """{(country key, position id): published claims about the country on that side},
        over these positions, for ``countries``: one query."""
        positions = self.order_by().values("pk")
        stands = Position.claims.through.objects.filter(position__in=positions)
        # From the countries' links to the few claims that take a side: joined from the
        # sides instead, SQLite walked every claim about the country (194 ms for the
        # United States among 50,000 claims, against 2 ms).
        links = Claim.countries.through.objects.filter(
            country__in=countries,
            claim__status=Claim.Status.PUBLISHED,
            claim__in=stands.values("claim"),
        )
        rows = (
            links.filter(claim__positions__in=positions)
            .values_list("country__code", "claim__positions")
            .annotate(n=Count("claim", distinct=True))
            .order_by()
        )
        return {(Country.key_for(code), position): n for code, position, n in rows}


class Position(models.Model):
    """One side of a dispute; its claims are those that assert or back it."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="positions")
    key = models.SlugField(
        max_length=60, help_text="Short key, unique within the dispute, e.g. “yes”."
    )
    # 300: a label kept short in English may take half as many characters again in French
    # or Arabic once its acronyms are spelled out ("inspection approfondie des paquets").
    label = models.CharField(
        max_length=300,
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
        return unique(claim.speaker for claim in self.published_claims if claim.speaker)

    def sources(self):
        return unique(claim.source for claim in self.published_claims)

    natural_key.dependencies = ["wcit.dispute"]
