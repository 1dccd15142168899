"""Full-text search over claims and source texts, one interface on both databases.

PostgreSQL: ``django.contrib.postgres`` search with English stemming, ranking
and ``SearchHeadline`` snippets, backed by GIN expression indexes (migration
0004). SQLite, the embedded default: each query word is stemmed with the same
Snowball English stemmer and matched at word starts; rank counts the words
found, summary hits weighing more than quote hits.

Snippets are built from untrusted source text: the database marks hits with
control characters, everything is escaped, then the marks become ``<mark>``.
"""

import re
from dataclasses import dataclass

import snowballstemmer
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Clause, Country, Dispute, Source, Speaker
from .models.documents import CONFIG
from .reading import paragraph_ranges, text_fragment

START, STOP = "\x02", "\x03"
WORD = re.compile(r"\w+", re.UNICODE)
STEMMER = snowballstemmer.stemmer("english")


def using_postgres():
    return connection.vendor == "postgresql"


def terms(text):
    """The words of a query, lower-cased, at most 12 of them (junk yields none)."""
    return [word.lower() for word in WORD.findall(text or "")][:12]


def stems(text):
    return list(dict.fromkeys(STEMMER.stemWord(word) for word in terms(text)))


def highlight(marked):
    """Safe HTML from text whose hits are wrapped in START/STOP."""
    html = escape(marked).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)


def word_stems(text):
    return {STEMMER.stemWord(word.lower()) for word in WORD.findall(text)}


def _mark_stems(text, found):
    """Wrap each word of ``text`` whose stem is one of ``found`` in START/STOP."""
    found = set(found)
    return WORD.sub(
        lambda m: (
            START + m.group(0) + STOP
            if STEMMER.stemWord(m.group(0).lower()) in found
            else m.group(0)
        ),
        text,
    )


def _word_start(stem):
    # Django runs SQLite's REGEXP with Python's re; \b anchors the stem at a word start.
    return r"\b" + re.escape(stem)


def text_query(text):
    """The search text as PostgreSQL's ``websearch_to_tsquery``: quotes, "or", "-word"."""
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def search_claims(queryset, text):
    """Claims of ``queryset`` matching ``text``, best first, with ``rank`` annotated."""
    if using_postgres():
        # The stored, GIN-indexed vector: matching and ranking compute no vector.
        query = text_query(text)
        return (
            queryset.filter(search_document=query)
            .annotate(rank=SearchRank(F("search_document"), query))
            .order_by("-rank", "id")
        )
    found = stems(text)
    if not found:
        return queryset.none()
    # The database narrows by word prefix; Python keeps the words whose stem is the query's.
    candidates = queryset
    for stem in found:
        pattern = _word_start(stem)
        candidates = candidates.filter(Q(summary__iregex=pattern) | Q(quote__iregex=pattern))
    scores = {}
    for pk, summary, quote in candidates.values_list("pk", "summary", "quote"):
        in_summary, in_quote = word_stems(summary), word_stems(quote)
        if all(stem in in_summary or stem in in_quote for stem in found):
            scores[pk] = sum(2 * (s in in_summary) + (s in in_quote) for s in found)
    rank = Case(
        *[When(pk=pk, then=Value(score)) for pk, score in scores.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=scores).annotate(rank=rank).order_by("-rank", "id")


def with_headlines(queryset, text):
    """Annotate ``quote_marked`` and ``summary_marked`` (hits between START and STOP).

    Headlines are the costly part of a search: apply this to the rows shown only.
    """
    if using_postgres():
        query = text_query(text)
        options = {"config": CONFIG, "start_sel": START, "stop_sel": STOP, "highlight_all": True}
        return queryset.annotate(
            quote_marked=SearchHeadline("quote", query, **options),
            summary_marked=SearchHeadline("summary", query, **options),
        )
    return queryset.annotate(quote_marked=F("quote"), summary_marked=F("summary"))


def claim_hits(queryset, text, limit=50):
    """[(claim, summary_html, quote_html)] for the best ``limit`` claims."""
    # Rank every match, but build headlines for the ``limit`` rows shown only.
    best = list(search_claims(queryset, text).values_list("pk", flat=True)[:limit])
    marked = {claim.pk: claim for claim in with_headlines(queryset.filter(pk__in=best), text)}
    claims = [marked[pk] for pk in best]
    found = stems(text)
    hits = []
    for claim in claims:
        summary, quote = claim.summary_marked, claim.quote_marked
        if not using_postgres():
            summary, quote = _mark_stems(summary, found), _mark_stems(quote, found)
        hits.append((claim, highlight(summary), highlight(quote)))
    return hits


@dataclass
class PassageHit:
    source: object
    snippet: str
    url: str


def passage_hits(sources, text, limit=20):
    """Source passages matching ``text``: each with a highlighted snippet and a link to it."""
    if using_postgres():
        query = text_query(text)
        rows = (
            sources.filter(search_document=query)
            .annotate(
                rank=SearchRank(F("search_document"), query),
                marked=SearchHeadline(
                    "text",
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_fragments=2,
                    min_words=12,
                    max_words=30,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "slug")[:limit]
        )
        return [_passage(source, source.marked) for source in rows]
    found = stems(text)
    if not found:
        return []
    for stem in found:
        sources = sources.filter(text__iregex=_word_start(stem))
    hits = []
    for source in sources.order_by("slug"):
        paragraphs = [source.text[s:e] for s, e in paragraph_ranges(source.text)]
        counts = [_count_stems(paragraph, found) for paragraph in paragraphs]
        if not all(stem in word_stems(source.text) for stem in found):
            continue
        best = max(range(len(paragraphs)), key=lambda i: counts[i])
        hits.append((sum(counts), source, paragraphs[best]))
    hits.sort(key=lambda hit: (-hit[0], hit[1].slug))
    return [
        _passage(source, _mark_stems(_trim(paragraph, found), found))
        for _count, source, paragraph in hits[:limit]
    ]


def _count_stems(text, found):
    return sum(STEMMER.stemWord(word.lower()) in found for word in WORD.findall(text))


def _trim(paragraph, found, width=220):
    """About ``width`` characters of ``paragraph`` around its first hit, cut at word breaks."""
    first = next(
        (
            m.start()
            for m in WORD.finditer(paragraph)
            if STEMMER.stemWord(m.group(0).lower()) in found
        ),
        0,
    )
    start = max(0, first - width // 2)
    if start:
        start = paragraph.find(" ", start) + 1 or start
    end = min(len(paragraph), start + width)
    if end < len(paragraph):
        end = paragraph.rfind(" ", start, end) if " " in paragraph[start:end] else end
    return ("…" if start else "") + paragraph[start:end] + ("…" if end < len(paragraph) else "")


def _passage(source, marked):
    # Link to the passage on our source page with a text fragment of the first hit's fragment.
    first = marked.split(" … ")[0].replace(START, "").replace(STOP, "").strip("… \n")
    fragment = text_fragment(" ".join(first.split()[:12])) if first else ""
    return PassageHit(source, highlight(marked), source.get_absolute_url() + fragment)


def page_hits(text, limit=8):
    """The pages whose name matches ``text``: "Sweden" finds Sweden's page before any claim.

    Countries, clauses, speakers, sources and disputes, as (kind, object) pairs.
    Names are matched as typed (any case), a country by its ISO code too.
    """
    needle = text.strip().lower()
    if len(needle) < 2:
        return []
    hits = [
        ("Country", country)
        for country in Country.objects.all()
        if needle in country.name.lower() or needle == country.slug
    ]
    hits += [
        ("Clause", clause)
        for clause in Clause.objects.filter(Q(title__icontains=needle) | Q(code__iexact=needle))
    ]
    hits += [("Speaker", speaker) for speaker in Speaker.objects.filter(name__icontains=needle)]
    hits += [("Source", source) for source in Source.objects.filter(title__icontains=needle)]
    hits += [("Dispute", dispute) for dispute in Dispute.objects.filter(question__icontains=needle)]
    return hits[:limit]
