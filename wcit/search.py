"""Full-text search over claims and source texts, one interface on both databases.

PostgreSQL: ``django.contrib.postgres`` search with English stemming, ranking
and ``SearchHeadline`` snippets, backed by GIN indexes on stored vectors. SQLite,
the embedded default: ``wcit.lexemes`` does in Python what PostgreSQL does (the same
tokens, stop words, stems, phrases, ``or`` and ``-word``), so both find the same
claims; the database only narrows the candidates by word prefix. There, rank counts
the query's words found, summary hits weighing more than quote hits.

Snippets are built from untrusted source text: the database marks hits with
control characters, everything is escaped, then the marks become ``<mark>``.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import lexemes
from .models import Clause, ClauseText, Country, Dispute, Position, Source, Speaker
from .models.documents import CONFIG
from .reading import paragraph_ranges, text_fragment

START, STOP = "\x02", "\x03"
WORD = re.compile(r"\w+", re.UNICODE)


def using_postgres():
    return connection.vendor == "postgresql"


def terms(text):
    """The words of a query, lower-cased, at most 12 of them (junk yields none)."""
    return [word.lower() for word in WORD.findall(text or "")][:12]


def highlight(marked):
    """Safe HTML from text whose hits are wrapped in START/STOP."""
    html = escape(marked).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)


def _mark(text, found):
    """Wrap each word of ``text`` whose lexeme is one of ``found`` in START/STOP."""
    spans, end = [], -1
    for lexeme, start, stop in lexemes.tokens(text):
        # A hyphenated word's lexeme covers its parts: mark it whole, or its parts.
        if lexeme in found and start >= end:
            spans.append((start, stop))
            end = stop
    for start, stop in reversed(spans):
        text = text[:start] + START + text[start:stop] + STOP + text[stop:]
    return text


def _narrowed(queryset, query, fields):
    """``queryset`` less what cannot match ``query``: each word of its one group (if it has
    but one) must start a word of one of ``fields``. Python decides the rest."""
    if len(query.groups) != 1:
        return queryset
    for negated, phrase in query.groups[0]:
        if negated:
            continue
        for lexeme, _distance in phrase:
            start = lexemes.prefix(lexeme)
            # Django runs SQLite's REGEXP with Python's re: anchored where a word starts.
            pattern = (r"(?<!\w)" if start[0].isalnum() else "") + re.escape(start)
            condition = Q()
            for name in fields:
                condition |= Q(**{f"{name}__iregex": pattern})
            queryset = queryset.filter(condition)
    return queryset


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
    query = lexemes.parse(text)
    if not query:
        return queryset.none()
    found, scores = query.lexemes(), {}
    for pk, summary, quote in _narrowed(queryset, query, ["summary", "quote"]).values_list(
        "pk", "summary", "quote"
    ):
        if query.matches(lexemes.Document().add(summary).add(quote)):
            in_summary = lexemes.Document().add(summary).positions
            in_quote = lexemes.Document().add(quote).positions
            scores[pk] = sum(2 * (word in in_summary) + (word in in_quote) for word in found)
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
    found = lexemes.parse(text).lexemes()
    hits = []
    for claim in claims:
        summary, quote = claim.summary_marked, claim.quote_marked
        if not using_postgres():
            summary, quote = _mark(summary, found), _mark(quote, found)
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
    query = lexemes.parse(text)
    if not query:
        return []
    found, hits = query.lexemes(), []
    for source in _narrowed(sources, query, ["text"]).order_by("slug"):
        if not query.matches(lexemes.Document().add(source.text)):
            continue
        paragraphs = [source.text[s:e] for s, e in paragraph_ranges(source.text)]
        counts = [_count(paragraph, found) for paragraph in paragraphs]
        best = max(range(len(paragraphs)), key=lambda i: counts[i])
        hits.append((sum(counts), source, paragraphs[best]))
    hits.sort(key=lambda hit: (-hit[0], hit[1].slug))
    return [
        _passage(source, _mark(_trim(paragraph, found), found))
        for _score, source, paragraph in hits[:limit]
    ]


def _count(text, found):
    """How many words of ``text`` have a lexeme among ``found``."""
    return sum(lexeme in found for lexeme, _start, _end in lexemes.tokens(text))


def _trim(paragraph, found, width=220):
    """About ``width`` characters of ``paragraph`` around its first hit, cut at word breaks."""
    first = next((start for lexeme, start, _end in lexemes.tokens(paragraph) if lexeme in found), 0)
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
    """The pages ``text`` finds, as (kind, object): "Sweden" finds Sweden's page before any
    claim, "spam" Article 5B (its description says so), "sanctions" the disputes about
    sanctioned countries.

    A page is found by its name (a country by its ISO code too) or its text: a clause's
    description and its text as the sources quote it, a dispute's summary and sides, a
    speaker's role, with the same words, stems and phrases as claim search. Pages found by
    name come first, then by kind: countries, clauses, speakers, sources, disputes.

    In every language: a country by its ISO name in the page's language, the curated labels
    (clause titles and descriptions, dispute questions, summaries and sides, speakers' roles)
    in their translation (modeltranslation reads the page's language, English where there is
    none) and in English too, as a reader may type either; the words are that language's
    (``lexemes.lexicon``: its stemmer, Chinese by characters). The matching is done here in
    Python on both databases, so SQLite and PostgreSQL suggest the same pages.
    """
    lexicon = lexemes.lexicon(get_language())
    query = lexemes.parse(text, lexicon)
    code = text.strip().lower()
    if not query and len(code) != 2:
        return []
    found = []
    for kind, obj, name, *more in _pages():
        document = lexemes.Document(lexicon=lexicon).add(name)
        if (kind == "Country" and code == obj.slug) or (query and query.matches(document)):
            found.append((0, kind, obj))
            continue
        for other in more:
            document.add(other)
        if query and query.matches(document):
            found.append((1, kind, obj))
    found.sort(key=lambda hit: hit[0])  # stable: kinds keep their order
    return [(kind, obj) for _rank, kind, obj in found[:limit]]


def _english(obj, name):
    """The English of ``obj``'s curated field ``name`` where the page is in another language
    (the reader may search a label by its English words); nothing in English pages."""
    if (get_language() or "en").split("-")[0] == "en":
        return ()
    return (getattr(obj, f"{name}_en", None) or "",)


def _pages():
    """(kind, object, name, other texts...) of every page search can suggest, its curated
    labels in the page's language, then in English."""
    for country in Country.objects.all():
        yield "Country", country, country.name
    texts = {}
    for clause_id, quote in ClauseText.objects.values_list("clause", "quote"):
        texts.setdefault(clause_id, []).append(quote)
    for clause in Clause.objects.all():
        yield (
            "Clause",
            clause,
            clause.title,
            clause.code,
            clause.description,
            *texts.get(clause.pk, []),
            *_english(clause, "title"),
            *_english(clause, "description"),
        )
    for speaker in Speaker.objects.all():
        yield "Speaker", speaker, speaker.name, speaker.role, *_english(speaker, "role")
    for source in Source.objects.only("slug", "title", "outlet"):
        yield "Source", source, source.title, source.outlet
    # Every side in one list, grouped here: a related manager per dispute (prefetched or
    # not) builds a queryset each, 2.8 ms for the 22 disputes against 1.1.
    sides = {}
    for position in Position.objects.order_by("order", "key"):
        sides.setdefault(position.dispute_id, []).append(position)
    for dispute in Dispute.objects.all():
        positions = sides.get(dispute.pk, [])
        labels = [position.label for position in positions]
        english = [text for p in positions for text in _english(p, "label")]
        yield (
            "Dispute",
            dispute,
            dispute.question,
            dispute.summary,
            *labels,
            *_english(dispute, "question"),
            *_english(dispute, "summary"),
            *english,
        )
