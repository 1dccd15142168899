"""What the claims say of several countries at once, for the page that compares them."""

from django.db.models import Count, F, Q


class ComparisonQuerySetMixin:
    """For ``ClaimQuerySet``: the claims about some of ``countries``, and those naming several.
    (The link table is reached through ``Claim.countries``: no import of the claims' module.)"""

    def for_countries(self, countries):
        """Claims about any of ``countries``."""
        links = self.model.countries.through.objects.filter(country__in=countries)
        return self.filter(pk__in=links.values("claim"))

    def naming_several(self, countries, at_least=2):
        """Claims naming ``at_least`` of ``countries``, annotated with ``named``: how many."""
        named = (
            self.model.countries.through.objects.filter(country__in=countries)
            .values("claim")
            .annotate(named=Count("country"))
            .filter(named__gte=at_least)
        )
        return self.filter(pk__in=named.values("claim")).annotate(
            named=Count("countries", filter=Q(countries__in=countries), distinct=True)
        )

    def pair_counts(self, countries):
        """{(country code, country code): claims naming both} for each pair of ``countries``
        that some claim of this selection names together: one query."""
        links = self.model.countries.through.objects.filter(
            claim__in=self.order_by().values("pk"),
            country__in=countries,
            claim__countries__in=countries,
            country__code__lt=F("claim__countries__code"),
        )
        rows = (
            links.values_list("country__code", "claim__countries__code")
            .annotate(n=Count("claim", distinct=True))
            .order_by()
        )
        return {(a.lower(), b.lower()): n for a, b, n in rows}
