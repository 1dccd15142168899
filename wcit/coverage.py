"""How much of each source the claims cover, computed from the data every time.

A paragraph is a block of text between blank lines. It is *claim-bearing*
when, after setting aside the lines that assert nothing, it still holds a
sentence: at least ``MIN_WORDS`` words, ending in sentence punctuation or
running to ``MIN_WORDS_UNPUNCTUATED`` words. Set aside are:

- lines quoting another comment (they begin with ``>``): the claim belongs
  to the comment quoted, where it is counted;
- bare web addresses;
- short lines of at most ``SHORT_LINE_WORDS`` words: greetings ("Dear
  Milton,"), sign-offs ("FYI," "/John"), names, titles, bylines, dates;
- markdown headings (``# ...``) and the source's own title.

So a byline, a masthead, a site footer or a greeting is not claim-bearing.
A claim-bearing paragraph is *covered* when at least one published claim's
passage lies (at least partly) inside it.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from .corpus import broken_anchors
from .models import Claim, ClaimRelation, Country, Dispute, Source
from .reading import paragraph_ranges

MIN_WORDS = 6
MIN_WORDS_UNPUNCTUATED = 12
SHORT_LINE_WORDS = 5
URL = re.compile(r"^\s*(https?://|www\.)\S+\s*$")
# Sentence punctuation at the end, perhaps inside closing quotation marks.
SENTENCE_PUNCTUATION = re.compile(r"[.!?:;…][”’\"')\]]*\s*$")


def assertive_text(paragraph, title=""):
    """The part of a paragraph that can assert something (see the module docstring)."""
    kept = []
    for line in paragraph.splitlines():
        stripped = line.strip()
        if (
            not stripped
            or stripped.startswith(">")
            or stripped.startswith("#")
            or URL.match(stripped)
            or len(stripped.split()) <= SHORT_LINE_WORDS
            or stripped == title.strip()
        ):
            continue
        kept.append(stripped)
    return " ".join(kept)


def is_claim_bearing(paragraph, title=""):
    text = assertive_text(paragraph, title)
    words = len(text.split())
    if words < MIN_WORDS:
        return False
    return bool(SENTENCE_PUNCTUATION.search(text)) or words >= MIN_WORDS_UNPUNCTUATED


@dataclass
class SourceCoverage:
    source: object
    paragraphs: int = 0
    claim_bearing: int = 0
    covered: int = 0
    kinds: Counter = field(default_factory=Counter)
    uncovered: list = field(default_factory=list)

    @property
    def percent(self):
        return 100.0 if not self.claim_bearing else 100.0 * self.covered / self.claim_bearing


def source_coverage(source, claims):
    """Coverage of one source by ``claims`` (its published claims, anchors resolving)."""
    ranges = []
    for claim in claims:
        anchor = claim.anchor
        ranges.append((anchor.start, anchor.end))
    result = SourceCoverage(source, kinds=Counter(claim.kind for claim in claims))
    for start, end in paragraph_ranges(source.text):
        result.paragraphs += 1
        paragraph = source.text[start:end]
        if not is_claim_bearing(paragraph, source.title):
            continue
        result.claim_bearing += 1
        if any(s < end and e > start for s, e in ranges):
            result.covered += 1
        else:
            result.uncovered.append(paragraph)
    return result


@dataclass
class CorpusReport:
    sources: list
    broken: list
    countries_without_claims: list
    claims_without_country_or_clause: list

    @property
    def totals(self):
        kinds = Counter()
        for row in self.sources:
            kinds.update(row.kinds)
        return SourceCoverage(
            source=None,
            paragraphs=sum(row.paragraphs for row in self.sources),
            claim_bearing=sum(row.claim_bearing for row in self.sources),
            covered=sum(row.covered for row in self.sources),
            kinds=kinds,
        )


def build_report(sources=None):
    """The coverage report over ``sources`` (default: all), from the database as it is now."""
    sources = list(sources if sources is not None else Source.objects.order_by("slug"))
    claims_by_source = {source.pk: [] for source in sources}
    broken = broken_anchors()
    claims = (
        Claim.objects.published()
        .filter(source__in=sources)
        .select_related("source")
        .defer("source__search_document")
        .prefetch_related("countries", "clauses")
    )
    without = []
    for claim in claims:
        if claim.anchor_error() is None:
            claims_by_source[claim.source_id].append(claim)
        if not claim.countries.all() and not claim.clauses.all():
            without.append(claim)
    return CorpusReport(
        sources=[source_coverage(source, claims_by_source[source.pk]) for source in sources],
        broken=broken,
        countries_without_claims=list(Country.objects.with_claim_counts().filter(claim_count=0)),
        claims_without_country_or_clause=without,
    )


@dataclass
class DebateFigures:
    disputes: int
    spanning_documents: int  # disputes whose claims come from two or more of the documents
    placed_claims: int  # published claims that take a side in some dispute
    related_claims: int  # published claims in a relation with another published claim
    published_claims: int
    unlinked: list  # ids of published claims in no relation and in no dispute

    @property
    def related_percent(self):
        return 100.0 * self.related_claims / self.published_claims if self.published_claims else 0


def debate_figures():
    """How much of the debate the disputes and relations capture, from the database now."""
    # Each source's document (a comment counts as its thread's post), in one query.
    parents = dict(Source.objects.values_list("pk", "parent_id"))

    def document(pk):
        while parents[pk]:
            pk = parents[pk]
        return pk

    published = Claim.objects.published()
    spanning, placed, grounds = 0, set(), set()
    for dispute in Dispute.objects.for_list():
        claims = dispute.claims()
        placed.update(claim.pk for claim in claims)
        grounds.update(claim.pk for claim in dispute.published_common_ground)
        spanning += len({document(claim.source_id) for claim in claims}) > 1
    relations = ClaimRelation.objects.filter(from_claim__in=published, to_claim__in=published)
    related = set(relations.values_list("from_claim", flat=True)) | set(
        relations.values_list("to_claim", flat=True)
    )
    every = set(published.values_list("pk", flat=True))
    return DebateFigures(
        disputes=Dispute.objects.count(),
        spanning_documents=spanning,
        placed_claims=len(placed),
        related_claims=len(related),
        published_claims=len(every),
        unlinked=sorted(every - placed - grounds - related),
    )
