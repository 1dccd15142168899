"""The pictures' data for pages: counts by kind and stance, the status map, the timeline."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext

from .. import pictures
from ..formats import by_name
from ..links import detail_url
from ..models import Claim, ClaimEvent, Source


def grouped(items, key):
    """[(key, [items...]), ...] in the order each key first appears."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())


def tally(claims, filter_name, key):
    """Counts of ``claims`` (a queryset) by kind and by stance, as text and as two small bar
    charts whose bars link to the claim list filtered by ``filter_name=key`` and that kind
    or stance. Two aggregate queries, however many claims."""
    kinds = claims.counts_by("kind")
    stances = {value or Claim.NO_STANCE: n for value, n in claims.counts_by("stance").items()}
    stance_labels = dict([*Claim.Stance.choices, (Claim.NO_STANCE, Claim.NO_STANCE_LABEL)])
    kind_counts = {value: kinds[value] for value in Claim.Kind.values if kinds.get(value)}
    stance_counts = {value: stances[value] for value in stance_labels if stances.get(value)}
    claims_url = reverse("claim-list")

    def urls(name, counts):
        return {value: f"{claims_url}?{filter_name}={key}&{name}={value}" for value in counts}

    return {
        "total": sum(kind_counts.values()),
        "kinds": [(Claim.Kind(value).label, n) for value, n in kind_counts.items()],
        "stances": [(stance_labels[value], n) for value, n in stance_counts.items()],
        "charts": [
            pictures.bar_chart(
                kind_counts,
                dict(Claim.Kind.choices),
                gettext("Claims by kind"),
                urls=urls("kind", kind_counts),
            ),
            pictures.bar_chart(
                stance_counts,
                stance_labels,
                gettext("Claims by stance"),
                urls=urls("stance", stance_counts),
                scheme="stance",
            ),
        ],
    }


def status_map(countries, small=False):
    """The world map of ``countries`` (all the sources name, with their status reports), each
    in its ``map_status()``; the legend's entries link to the countries they count."""
    statuses, details = {}, {}
    for country in countries:
        statuses[country.slug] = country.map_status()
        groups = country.status_groups()
        if len(groups) > 1:
            details[country.slug] = gettext("reported %(statuses)s") % {
                "statuses": ", ".join(
                    ngettext(
                        "%(status)s (%(n)s source)", "%(status)s (%(n)s sources)", len(sources)
                    )
                    % {"status": group["label"].lower(), "n": len(sources)}
                    for group in groups
                    for sources in [group["sources"]]
                )
            }
    countries_url = reverse("country-list")
    return pictures.world_map(
        statuses,
        lambda code: detail_url("country-detail", code),
        details=details,
        small=small,
        legend_url=lambda status: f"{countries_url}?status={status}#table",
    )


def timeline_events():
    """The dated things the sources tell, for ``pictures.timeline``: each source's
    publication, each dated status report (grouped by source and status), and each
    event a passage dates in December 2012. Other dates (the ITU's founding, the treaty's
    entry into force) are returned apart, for a list: on the axis they would squash it.
    """
    events, elsewhere = [], []
    for source in Source.objects.dated():
        events.append(
            {
                "date": source.published,
                "label": gettext("Published: %(title)s") % {"title": source.title},
                "url": source.get_absolute_url(),
                "kind": "publication",
            }
        )
    reports = Claim.objects.published().dated_status_reports()
    grouped_reports = grouped(reports, lambda claim: (claim.source, claim.signature_status))
    for (source, _status), claims in grouped_reports:
        names = by_name({country.name for claim in claims for country in claim.countries.all()})
        events.append(
            {
                "date": source.published,
                "label": f"{claims[0].signature_status_label}: {', '.join(names)}",
                "url": claims[0].get_absolute_url(),
                "kind": "status",
                "note": gettext("as %(title)s reports it") % {"title": source.title},
            }
        )
    happenings = ClaimEvent.objects.published()
    dates_of = defaultdict(set)
    for happening in happenings:
        if happening.occasion:
            dates_of[happening.occasion].add(happening.display_date)
    for happening in happenings:
        item = {
            "date": happening.happened,
            "label": f"{happening.what} ({happening.claim.source.title})",
            "url": happening.claim.get_absolute_url(),
            "kind": "event",
        }
        if len(dates_of.get(happening.occasion, ())) > 1:
            item["note"] = gettext("the sources give different dates: %(dates)s") % {
                "dates": pgettext("before the last item of a list", " and ").join(
                    sorted(dates_of[happening.occasion])
                )
            }
        if not FIRST_DAY <= happening.happened <= pictures.TIMELINE_END:
            elsewhere.append(happening)
        else:
            events.append(item)
    return events, elsewhere


def timeline():
    """The timeline picture and the list of dates outside it."""
    events, elsewhere = timeline_events()
    return pictures.timeline(pictures.CONFERENCE_DAYS, events), elsewhere


FIRST_DAY = pictures.CONFERENCE_DAYS[0].replace(day=1)
