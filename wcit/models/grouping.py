"""How a selection of claims divides: counts by a field, a page's bounded groups, the
country × clause cells, a clause's voices by stance, and the claim list's facet counts.
A mixin of ``ClaimQuerySet``: every query here is a bounded number of aggregates."""

from django.db.models import Count
from django_countries import countries

from .choices import ClaimKind, ClaimStance
from .corpus import Country, Speaker


class GroupingQuerySetMixin:
    def counts_by(self, field):
        """{value of ``field``: number of claims} over this selection, in one query."""
        rows = self.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
        return dict(rows)

    def group_ids(self, field, limit):
        """{value of ``field`` (e.g. "clauses", "stance", "source"): (its number of claims,
        the ids of its first ``limit`` claims by id)} over this selection. Bounded: a page
        built from it shows at most ``limit`` claims a group, however many there are, in a
        number of queries set by the groups. ``in_groups`` reads the claims."""
        groups = {}
        for value, count in self.counts_by(field).items():
            lookup = {f"{field}__isnull": True} if value is None else {field: value}
            chosen = self.filter(**lookup).order_by("id").values_list("pk", flat=True)
            groups[value] = (count, list(chosen[:limit]))
        return groups

    def in_groups(self, groups):
        """[(value, count, claims)] for ``groups`` (``group_ids``), the claims read from this
        queryset in one query."""
        rows = self.in_bulk([pk for _count, ids in groups.values() for pk in ids])
        return [(value, count, [rows[pk] for pk in ids]) for value, (count, ids) in groups.items()]

    def stances_by_country_and_clause(self, countries=None):
        """{(country key, clause code): {stance or "none": n}} over this selection, of every
        country it names or only of ``countries``: one query."""
        links = self.model.countries.through.objects.filter(claim__in=self.order_by().values("pk"))
        if countries is not None:
            links = links.filter(country__in=countries)
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

    def voices_by_stance(self, speakers_shown, claims_shown):
        """{stance or "": [(speaker id or None, n, [ids of their first claims])]} over this
        selection: in each stance, delegations first, then the speakers with most claims;
        the first ``speakers_shown`` of each carry the ids of their first ``claims_shown``
        claims, the rest none. Bounded: one counting query, then one per speaker shown."""
        rows = (
            self.order_by()
            .values_list("stance", "speaker", "speaker__kind")
            .annotate(n=Count("pk"))
        )
        voices = {}
        for stance, speaker, kind, n in rows:
            voices.setdefault(stance, []).append((kind != Speaker.Kind.DELEGATION, -n, speaker))
        result = {}
        for stance, speakers in voices.items():
            speakers.sort(key=lambda item: (item[0], item[1], item[2] is None, item[2] or 0))
            result[stance] = []
            for shown, (_not_delegation, minus_n, speaker) in enumerate(speakers):
                ids = []
                if shown < speakers_shown:
                    mine = self.filter(stance=stance, speaker=speaker)
                    if speaker is None:
                        mine = self.filter(stance=stance, speaker__isnull=True)
                    ids = list(mine.order_by("id").values_list("pk", flat=True)[:claims_shown])
                result[stance].append((speaker, -minus_n, ids))
        return result

    def facet_counts(self):
        """For each filter of the claim list, its values with their counts in this selection.

        One query per facet, whatever the number of claims or values. The
        many-to-many facets count rows of their link tables: each (claim,
        country) pair is stored once, so no DISTINCT is needed, and no
        anti-join that PostgreSQL misestimates on large tables.
        """
        no_stance, no_stance_label = self.model.NO_STANCE, self.model.NO_STANCE_LABEL
        selected = self.order_by().values("pk")
        selection = self.model.objects.filter(pk__in=selected).order_by()

        def count(queryset, *fields):
            return queryset.values(*fields).annotate(n=Count("*")).order_by("-n", fields[0])

        countries_through = self.model.countries.through.objects.filter(claim__in=selected)
        clauses_through = self.model.clauses.through.objects.filter(claim__in=selected)
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
                (row["kind"], ClaimKind(row["kind"]).label, row["n"])
                for row in count(selection, "kind")
            ],
            "stance": [
                (
                    row["stance"] or no_stance,
                    ClaimStance(row["stance"]).label if row["stance"] else no_stance_label,
                    row["n"],
                )
                for row in count(selection, "stance")
            ],
        }
