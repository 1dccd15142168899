"""The reading pages: home, and a page for each country, clause, source, speaker, dispute
and claim. Query logic lives on the QuerySets; views assemble context."""

import json
from collections import defaultdict

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView

from .. import cache, pictures, reading
from ..formats import collation_key
from ..models import (
    Claim,
    ClaimEvent,
    ClaimRelation,
    Clause,
    Country,
    Dispute,
    KeyFigure,
    Position,
    Source,
    Speaker,
    Statement,
)
from ..schemas import ClaimBase, SourceBase, SpeakerBase, rows
from . import outlines
from .cite import cite_context
from .figures import status_map, tally
from .outlines import EXCHANGE_LIMIT

# How many claims a group on a page shows before linking to the filtered list.
GROUP_LIMIT = 10
# A clause's commentary: in each stance, the speakers shown with their first claims (the
# rest are named and linked), and how many the page's first line names for and against.
VOICES_SHOWN = 4
VOICE_CLAIMS = 3
OTHER_VOICES = 12
FIRST_LINE_VOICES = 3
RELATION_LIMIT = 20
# A country's record: its first dates, and in each the first claims of each column.
RECORD_ROWS = 25
RECORD_CELL = 5


HOME_DISPUTES = 6


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the site's icon. A
    temporary redirect, because the icon's static name changes with its content."""
    return redirect(static("wcit/favicon.svg"))


def home(request):
    """The overview: what WCIT-12 was, its key figures with their passages, ways in."""
    return render(
        request,
        "wcit/home.html",
        {
            "figures": KeyFigure.objects.published()
            .select_related("claim__source")
            .defer("claim__source__search_document"),
            # Counting 100,000 claims, every claim on every side and drawing the map cost
            # more than the rest of the page: once per version.
            "counts": cache.per_version(home_counts),
            "clauses": Clause.objects.all(),
            "disputes": cache.per_version(home_disputes),
            "map": cache.per_version(home_map),
        },
    )


def home_counts():
    """How many countries, clauses, sources, published claims and disputes there are."""
    return {
        "countries": Country.objects.count(),
        "clauses": Clause.objects.count(),
        "sources": Source.objects.count(),
        "claims": Claim.objects.published().count(),
        "disputes": Dispute.objects.count(),
    }


def home_disputes():
    """The first disputes, their sides with their numbers of published claims."""
    positions = Position.objects.with_claim_counts()
    disputes = Dispute.objects.prefetch_related(Prefetch("positions", queryset=positions))
    return list(disputes[:HOME_DISPUTES])


def home_map():
    """The home page's small map of reported status."""
    return status_map(Country.objects.with_status_reports(), small=True)


def country_clause_matrix(request):
    """Countries × clauses: the claims about each pair, by stance, each a link to them."""
    cells = Claim.objects.published().stances_by_country_and_clause()
    countries = sorted(
        (
            country
            for country in Country.objects.all()
            if any(key[0] == country.slug for key in cells)
        ),
        key=lambda country: collation_key(country.name),
    )
    clauses = list(Clause.objects.all())
    claims = reverse("claim-list")
    matrix = pictures.matrix(
        [(c.slug, c.name, c.get_absolute_url()) for c in countries],
        [(c.code, c.title, c.get_absolute_url(), c.short_title) for c in clauses],
        cells,
        lambda country, clause: f"{claims}?country={country}&clause={clause}",
    )
    return render(
        request,
        "wcit/country_clause_matrix.html",
        {"matrix": matrix, "country_count": len(countries), "clause_count": len(clauses)},
    )


class CountryDetailView(DetailView):
    model = Country

    def get(self, request, *args, **kwargs):
        code = kwargs["code"]
        if code != Country.key_for(code):
            return redirect("country-detail", code=Country.key_for(code), permanent=True)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        countries = Country.objects.with_status_reports()
        return get_object_or_404(countries, code=Country.key_for(self.kwargs["code"]).upper())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        claims = Claim.objects.published().for_country(country)
        clauses = Clause.objects.in_bulk()
        groups = cache.per_version(claims.group_ids, "clauses", GROUP_LIMIT)
        context["by_clause"] = sorted(
            (
                (clauses.get(pk), count, sample)
                for pk, count, sample in Claim.objects.for_rows().in_groups(groups)
            ),
            key=lambda group: group[0].position if group[0] else 10_000,
        )
        context["claim_count"] = cache.per_version(claims.count)
        voices = Claim.objects.published().by_speakers_from(country)
        context["voices"] = list(voices.for_rows()[:GROUP_LIMIT])
        context["voice_count"] = cache.per_version(voices.count)
        context["disputes"] = cache.per_version(list, Dispute.objects.involving(claims))
        context["closing"] = closing = ClaimEvent.objects.closing()
        context["record"] = record = claims.record(RECORD_ROWS, RECORD_CELL)
        for report in [*country.status_reports, *record.claims()]:
            # "before", "at" or "after" the dates the sources give for the close.
            report.close = closing.relation(report.source.published)
        context["others"] = Country.objects.exclude(pk=country.pk).by_name()
        return context


class ClauseDetailView(DetailView):
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return Clause.objects.with_versions()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = Claim.objects.published().for_clause(self.object)
        voices = cache.per_version(claims.voices_by_stance, VOICES_SHOWN, VOICE_CLAIMS)
        rows = Claim.objects.for_rows().in_bulk(
            [pk for speakers in voices.values() for _speaker, _n, ids in speakers for pk in ids]
        )
        speakers = Speaker.objects.in_bulk(
            {speaker for entries in voices.values() for speaker, _n, _ids in entries} - {None}
        )
        order = {Claim.Stance.FOR: 0, Claim.Stance.AGAINST: 1, Claim.Stance.NEUTRAL: 2, "": 3}
        stances = []
        for stance in sorted(voices, key=lambda stance: order[stance or ""]):
            key = stance or Claim.NO_STANCE
            entries = [
                {"speaker": speakers.get(speaker), "count": n, "claims": [rows[pk] for pk in ids]}
                for speaker, n, ids in voices[stance]
            ]
            others = [entry for entry in entries if not entry["claims"]]
            stances.append(
                {
                    "key": key,
                    "label": Claim.Stance(stance).label if stance else Claim.NO_STANCE_LABEL,
                    "meaning": Claim.STANCE_MEANINGS[key],
                    "count": sum(entry["count"] for entry in entries),
                    "speaker_count": len(entries),
                    "voices": [entry for entry in entries if entry["claims"]],
                    "others": others[:OTHER_VOICES],
                    "others_cut": len(others) > OTHER_VOICES,
                }
            )
        context["claim_count"] = sum(group["count"] for group in stances)
        context["stances"] = stances
        # The first line: who is against and who for, each with the first claim that says why.
        context["sides"] = [
            {**group, "named": group["voices"][:FIRST_LINE_VOICES]}
            for group in stances
            if group["key"] in (Claim.Stance.AGAINST, Claim.Stance.FOR)
        ]
        context["versions"] = reading.compare_versions(self.object.versions)
        context["cite"] = cite_context(self.request, self.object)
        context["disputes"] = cache.per_version(list, Dispute.objects.involving(claims))
        return context


class SourceDetailView(DetailView):
    # ?clean=1 shows the text without marks or notes (wcit.middleware refuses any other).
    query_parameters = ("clean",)

    def get_queryset(self):
        return Source.objects.select_related("author", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        thread = Source.objects.descendants_of(source)
        context["clean"] = clean = self.request.GET.get("clean") == "1"
        published = Claim.objects.published().filter(source__in=[source, *thread])
        context["abstract"] = abstract = outlines.source_abstract(source, thread, published)
        claims_by_source = defaultdict(list)
        for claim in published.one_per_passage():
            claims_by_source[claim.source_id].append(claim)
        for item in [source, *thread]:
            claims = claims_by_source[item.pk]
            for claim in claims:
                claim.source = item
            item.paragraphs = reading.render_text(item.text, claims, marked=not clean)
            item.claim_list = claims
            item.claim_count = abstract["counts"].get(item.pk, 0)
            # A reply folds to its opening words, unless they are the whole of it.
            item.opening, whole = reading.opening(
                item.text, outlines.OPENING_LEAST, outlines.OPENING_MOST
            )
            item.folds = item is not source and not whole
            item.fold_claims = claims[: outlines.FOLD_CLAIMS]
            item.fold_more = len(claims) - len(item.fold_claims)
        context["tally"] = tally(
            Claim.objects.published().filter(source=source), "source", source.slug
        )
        context["replies"] = Source.tree(thread, root=source)
        context["cite"] = cite_context(self.request, source)
        context["disputes"] = Dispute.objects.involving(published)
        return context


class SpeakerDetailView(DetailView):
    def get_queryset(self):
        return Speaker.objects.select_related("country", "delegation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = Claim.objects.published().filter(speaker=self.object)
        sources = Source.objects.only("slug", "title", "published").in_bulk()
        context["claim_count"] = cache.per_version(claims.count)
        groups = cache.per_version(claims.group_ids, "source", GROUP_LIMIT)
        context["by_source"] = sorted(
            (
                (sources[pk], count, sample)
                for pk, count, sample in Claim.objects.for_rows().in_groups(groups)
            ),
            key=lambda group: group[0].slug,
        )
        context["tally"] = tally(claims, "speaker", self.object.slug)
        context["authored"] = self.object.sources.all()
        context["disputes"] = cache.per_version(list, Dispute.objects.involving(claims))
        context["members"] = self.object.members.all()
        context["statements"] = statements = list(Statement.objects.for_speaker(self.object))
        for statement in statements:
            anchor = statement.anchor
            statement.paragraphs = reading.render_text(
                statement.source.text, statement.claims(), within=(anchor.start, anchor.end)
            )
        context.update(answers_between(self.object))
        return context


def answers_between(speaker):
    """Who answered ``speaker`` and whom they answered: per other speaker, how many
    rebuttals and supports each way (over all their relations), and the exchange itself,
    threaded, bounded at ``EXCHANGE_LIMIT`` links."""
    relations = ClaimRelation.objects.across_speakers(speaker)
    counts = cache.per_version(relations.counts_by_speakers)
    others = Speaker.objects.in_bulk({pk for key in counts for pk in key[:2]} - {speaker.pk, None})
    answered_by, answered = {}, {}
    for (answering, answered_speaker, kind), n in counts.items():
        mine = answered_speaker == speaker.pk
        other = answering if mine else answered_speaker
        row = (answered_by if mine else answered).setdefault(
            other, {"speaker": others.get(other), "rebuts": 0, "supports": 0}
        )
        row[kind] += n

    def by_most(rows):
        return sorted(rows.values(), key=lambda row: -(row["rebuts"] + row["supports"]))

    claims = ("from_claim", "to_claim")
    shown = list(
        relations.select_related(
            *(f"{end}__{part}" for end in claims for part in ("speaker", "source"))
        )
        .defer(
            *(
                f"{end}__{field}"
                for end in claims
                for field in ("search_document", "source__text", "source__search_document")
            )
        )
        .order_by("id")[: EXCHANGE_LIMIT + 1]
    )
    return {
        "answered_by": by_most(answered_by),
        "answered": by_most(answered),
        "speaker_exchange": reading.exchange(shown[:EXCHANGE_LIMIT], order=reading.chronological),
        "speaker_exchange_cut": len(shown) > EXCHANGE_LIMIT,
        "exchange_limit": EXCHANGE_LIMIT,
    }


class DisputeDetailView(DetailView):
    def get_queryset(self):
        return Dispute.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(outlines.dispute_outline(self.object))
        context["cite"] = cite_context(self.request, self.object)
        return context


class ClaimDetailView(DetailView):
    def get_queryset(self):
        return Claim.objects.published().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        published = Claim.objects.published()
        claim.passage_anchor = (
            published.same_passage_as(claim).order_by("id").values_list("pk", flat=True).first()
        )
        # Bounded: the first answers each way, with how many there are in all (counted only
        # where the first fill the page: fewer are all of them).
        for direction, other in (("relations_out", "to_claim"), ("relations_in", "from_claim")):
            relations = getattr(claim, direction).filter(**{f"{other}__in": published})
            related = relations.select_related(f"{other}__source")
            context[direction] = first = list(
                related.defer(f"{other}__source__search_document")[:RELATION_LIMIT]
            )
            context[f"{direction}_count"] = (
                relations.count() if len(first) == RELATION_LIMIT else len(first)
            )
        anchor = claim.anchor
        context["before"], context["passage"], context["after"] = reading.context(
            claim.source.text, anchor.start, anchor.end
        )
        if claim.source.url:
            context["original_url"] = claim.source.url + reading.text_fragment(claim.quote)
        context["json_ld"] = json_ld(self.request, claim)
        context["cite"] = cite_context(self.request, claim)
        context["positions"] = claim.positions.select_related("dispute")
        return context


def json_ld(request, claim):
    """The claim's schema.org JSON-LD, as safe <script> content."""
    text = json.dumps(schema_org_claim(request, claim), ensure_ascii=False)
    # The same escapes as Django's json_script: no "</script>" can close the element early.
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))


def _agent(speaker):
    kind = "Person" if speaker["kind"] == Speaker.Kind.PERSON else "Organization"
    return {"@type": kind, "name": speaker["name"], "url": speaker["html_url"]}


def schema_org_claim(request, claim):
    """A schema.org ``Claim`` whose ``appearance`` is its source, from the rows above."""
    (row,) = rows(ClaimBase, [claim], request)
    (source,) = rows(SourceBase, [claim.source], request)
    appearance = {"@type": "CreativeWork", "name": source["title"]}
    appearance["url"] = source["url"] or source["html_url"]
    if claim.source.author:
        (author,) = rows(SpeakerBase, [claim.source.author], request)
        appearance["author"] = _agent(author)
    if source["published"]:
        appearance["datePublished"] = source["published"]
    data = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "url": row["html_url"],
        "name": row["summary"],
        "text": row["quote"],
        "appearance": appearance,
    }
    if claim.speaker:
        (speaker,) = rows(SpeakerBase, [claim.speaker], request)
        data["author"] = _agent(speaker)
    return data
