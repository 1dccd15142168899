"""Countries side by side: ``/countries/compare/?c=us&c=se`` puts two to four countries in
columns, each status with its date and sources, the clauses by stance, the disputes, and
the claims that name several of them. Query logic lives on the QuerySets."""

from collections import Counter

from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from ..models import Claim, ClaimEvent, Clause, Country, Dispute, Position
from ..problems import InvalidParameters
from .errors import bad_request

# How many countries a comparison puts side by side.
FEWEST, MOST = 2, 4
# The claims naming several of the countries: the first shown, then a count.
SHARED_LIMIT = 20
# How much of a bad value the 400 echoes back.
ECHO_CHARS = 20
# The stances of the clause table, in its order: objections first.
STANCES = [
    (Claim.Stance.AGAINST.value, Claim.Stance.AGAINST.label),
    (Claim.Stance.FOR.value, Claim.Stance.FOR.label),
    (Claim.Stance.NEUTRAL.value, Claim.Stance.NEUTRAL.label),
    (Claim.NO_STANCE, Claim.NO_STANCE_LABEL),
]


def compare_countries(request):
    """Two to four countries side by side: status, clauses by stance, disputes, shared claims."""
    try:
        countries = chosen_countries(request.GET.getlist("c"))
    except InvalidParameters as error:
        return bad_request(request, error, restart_url=reverse("country-list"))
    closing = ClaimEvent.objects.closing()
    for country in countries:
        for report in country.status_reports:
            report.close = closing.relation(report.source.published)
    published = Claim.objects.published()
    shared = published.naming_several(countries).for_rows()
    shared_count = shared.count()
    shown = list(
        shared.prefetch_related(
            Prefetch(
                "countries",
                queryset=Country.objects.filter(pk__in=[c.pk for c in countries]),
                to_attr="compared",
            )
        ).order_by("-named", "id")[:SHARED_LIMIT]
    )
    clauses, disputes = clause_rows(countries), dispute_rows(countries)
    return render(
        request,
        "wcit/country_compare.html",
        {
            "countries": countries,
            "closing": closing,
            "clauses": clauses,
            "without_clauses": absent(clauses, countries),
            "disputes": disputes,
            "without_disputes": absent(disputes, countries),
            "shared": shared_groups(shown, countries),
            "shared_count": shared_count,
            "shared_shown": len(shown),
            "shared_cut": shared_count - len(shown),
            # With two countries, the claims naming both say it: no pairs to count.
            "pairs": pair_rows(published.pair_counts(countries), countries)
            if len(countries) > FEWEST
            else [],
            "change": changes(countries),
        },
    )


def chosen_countries(values):
    """The countries ``c`` names, in its order, with their status reports and claim counts;
    otherwise ``InvalidParameters`` naming each problem. A blank value is no choice (a
    form's menu left empty); codes are read in either case."""
    codes = [Country.key_for(value) for value in values if value.strip()]
    named = {
        country.slug: country
        for country in Country.objects.with_claim_counts()
        .with_status_reports()
        .filter(code__in=[code.upper() for code in codes if len(code) == 2 and code.isascii()])
    }
    # (message, whether to list the codes allowed)
    problems = []
    if not codes:
        problems.append(
            (
                gettext(
                    "No country given: compare %(fewest)s to %(most)s, each as c=code (?c=us&c=se)."
                )
                % {"fewest": FEWEST, "most": MOST},
                True,
            )
        )
    for code in dict.fromkeys(code for code in codes if code not in named):
        problems.append(
            (
                gettext("“%(code)s” is not a country the sources name.") % {"code": echo(code)},
                True,
            )
        )
    for code, times in Counter(codes).items():
        if times > 1:
            problems.append(
                (
                    gettext("“%(code)s” is given %(times)s times: name each country once.")
                    % {"code": echo(code), "times": times},
                    False,
                )
            )
    if codes and not FEWEST <= len(codes) <= MOST:
        given = ", ".join(f"“{echo(code)}”" for code in codes[: MOST + 2])
        more = ", …" if len(codes) > MOST + 2 else ""
        problems.append(
            (
                gettext("Compare takes %(fewest)s to %(most)s countries; %(n)s given (%(given)s).")
                % {"fewest": FEWEST, "most": MOST, "n": len(codes), "given": given + more},
                False,
            )
        )
    if problems:
        allowed = sorted(country.slug for country in Country.objects.all())
        raise InvalidParameters(
            [
                {"parameter": "c", "message": message, "allowed": allowed if listed else []}
                for message, listed in problems
            ]
        )
    return [named[code] for code in codes]


def echo(value):
    """A bad value as the 400 names it back: cut short if long."""
    return value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "…"


def claim_list(**filters):
    return f"{reverse('claim-list')}?{urlencode(filters)}"


def clause_rows(countries):
    """[(clause, [(country, [(stance, label, count, url)])])] for the clauses some claim about
    one of ``countries`` is about, in the treaty's order; each count links to its claims."""
    cells = Claim.objects.published().stances_by_country_and_clause(countries)
    rows = []
    for clause in Clause.objects.all():
        columns = [
            (
                c,
                [
                    (
                        stance,
                        label,
                        n,
                        claim_list(country=c.slug, clause=clause.code, stance=stance),
                    )
                    for stance, label in STANCES
                    if (n := cells.get((c.slug, clause.code), {}).get(stance))
                ],
            )
            for c in countries
        ]
        if any(stances for _country, stances in columns):
            rows.append((clause, columns))
    return rows


def dispute_rows(countries):
    """[(dispute, [(country, [(side, count, url)])])] for the disputes whose sides hold a
    claim about one of ``countries``, in the dispute list's order."""
    counts = Position.objects.counts_by_country(countries)
    positions = {pk for _code, pk in counts}
    disputes = Dispute.objects.filter(positions__in=positions).distinct()
    rows = []
    for dispute in disputes.prefetch_related("positions"):
        sides = dispute.positions.all()
        columns = [
            (
                c,
                [
                    (side, n, claim_list(country=c.slug, position=f"{dispute.slug}:{side.key}"))
                    for side in sides
                    if (n := counts.get((c.slug, side.pk)))
                ],
            )
            for c in countries
        ]
        rows.append((dispute, columns))
    return rows


def absent(rows, countries):
    """The countries with no cell in any of ``rows`` (``clause_rows``, ``dispute_rows``): a
    column left empty, said in words."""
    present = {country.pk for _row, columns in rows for country, cell in columns if cell}
    return [country for country in countries if country.pk not in present]


def shared_groups(claims, countries):
    """``claims`` grouped by which of ``countries`` each names: [(countries, claims)], the
    groups naming most first, each in the order the countries were given."""
    order = {country.pk: i for i, country in enumerate(countries)}
    groups = {}
    for claim in claims:
        named = tuple(sorted(claim.compared, key=lambda country: order[country.pk]))
        groups.setdefault(named, []).append(claim)
    return sorted(
        groups.items(), key=lambda group: (-len(group[0]), [order[c.pk] for c in group[0]])
    )


def pair_rows(counts, countries):
    """[(country, country, claims naming both)] for each pair, in the order given."""
    by_key = {country.slug: country for country in countries}
    return [(by_key[a], by_key[b], n) for (a, b), n in counts.items()]


def changes(countries):
    """Links and choices to change the comparison: each country with the link that removes
    it (while more than the fewest remain), and the countries that can be added (while
    fewer than the most)."""
    codes = [country.slug for country in countries]
    path = reverse("country-compare")

    def without(code):
        return f"{path}?{urlencode({'c': [c for c in codes if c != code]}, doseq=True)}"

    return {
        "codes": codes,
        "countries": [(c, without(c.slug) if len(codes) > FEWEST else None) for c in countries],
        "add": [c for c in Country.objects.by_name() if c.slug not in codes]
        if len(codes) < MOST
        else [],
    }


# The countries to compare, each its own "c" (``wcit.middleware`` holds requests to them).
compare_countries.query_parameters = ("c",)
compare_countries.multiple_parameters = ("c",)
