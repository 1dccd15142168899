"""Turn a source text into reading HTML: paragraphs, with every claim's passage marked.

Source texts are untrusted: every character of them goes through ``escape``.
"""

import difflib
import re
from dataclasses import dataclass
from urllib.parse import quote as percent_encode

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*(?=\s)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    claim: object


def paragraph_ranges(text):
    """(start, end) of each paragraph: blocks separated by blank lines."""
    start = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _escape_lines(fragment):
    return mark_safe("<br>".join(escape(line) for line in fragment.split("\n")))


def _open_tag(claim, first):
    if first:
        return format_html('<mark id="{}" data-claim="{}">', claim.dom_id, claim.pk)
    return format_html('<mark data-claim="{}">', claim.pk)


def _reference(claim):
    # The claim's number within its source, linking to its note in the margin.
    return format_html(
        '<a class="claim-ref" href="#note-{}" aria-label="Claim {}: {}">{}</a>',
        claim.pk,
        claim.number,
        claim.summary,
        claim.number,
    )


def render_paragraph(text, start, end, spans, opened):
    """HTML of ``text[start:end]`` with each span inside it marked.

    Spans may nest or overlap; where they overlap the inner mark is closed and
    reopened, so the HTML stays well formed. ``opened`` records the claims
    whose first piece (the one carrying the id) is already out.
    """
    inside = [s for s in spans if s.start < end and s.end > start]
    cuts = sorted(
        {start, end} | {max(start, min(end, p)) for s in inside for p in (s.start, s.end)}
    )
    parts, stack = [], []
    for left, right in zip(cuts, cuts[1:], strict=False):
        active = [s for s in inside if s.start <= left and s.end >= right]
        keep = 0
        while keep < len(stack) and stack[keep] in active:
            keep += 1
        for span in reversed(stack[keep:]):
            parts.append(mark_safe("</mark>"))
            if span.end <= left:
                parts.append(_reference(span.claim))
        del stack[keep:]
        for span in sorted((s for s in active if s not in stack), key=lambda s: (-s.end, s.start)):
            parts.append(_open_tag(span.claim, span.claim.pk not in opened))
            opened.add(span.claim.pk)
            stack.append(span)
        parts.append(_escape_lines(text[left:right]))
    for span in reversed(stack):
        parts.append(mark_safe("</mark>"))
        if span.end <= end:
            parts.append(_reference(span.claim))
    return mark_safe("".join(parts))


HEADING = re.compile(r"(#{1,5}) ")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a reading page: its HTML, its heading level (markdown ``#`` in the
    source, shown as a heading: the text itself stays verbatim in the data) and the
    claims whose passage starts in it, for the margin."""

    html: str
    level: int = 0
    notes: tuple = ()


def render_text(text, claims, marked=True, within=None):
    """The paragraphs of ``text`` (``Paragraph``), each claim's passage in a ``<mark>``.

    Claims are numbered 1, 2, 3 in reading order (``claim.number``); each is a note
    in the margin of the paragraph where its passage starts. With ``marked`` false
    the text is clean: no marks, no notes. ``within``, a (start, end) of ``text``, renders
    that part alone (a statement the text quotes), its claims numbered within it.
    """
    claims = sorted(claims, key=lambda claim: (claim.anchor.start, claim.pk))
    spans = []
    for number, claim in enumerate(claims, start=1):
        claim.number = number
        spans.append(Span(claim.anchor.start, claim.anchor.end, claim))
    if not marked:
        spans = []
    opened, paragraphs = set(), []
    for start, end in paragraph_ranges(text):
        if within:
            if end <= within[0] or start >= within[1]:
                continue
            start, end = max(start, within[0]), min(end, within[1])
        level = 0
        heading = HEADING.match(text, start)
        if heading and "\n" not in text[start:end]:
            # Under the page's "The text" (h2): "#" is a level-3 heading, "##" level 4.
            level = min(len(heading.group(1)) + 2, 6)
            start = heading.end()
        notes = tuple(span.claim for span in spans if start <= span.start < end)
        html = render_paragraph(text, start, end, spans, opened)
        paragraphs.append(Paragraph(html, level, notes))
    return paragraphs


def opening(text, least, most):
    """(the opening of ``text`` as plain text, a line a paragraph: its first paragraph, and
    the next while it has fewer than ``least`` words (a reply that opens "Milton –"), cut
    after ``most`` words with "…"; whether that is the whole text). A folded reply shows it."""
    paragraphs, ranges = [], list(paragraph_ranges(text))
    for start, end in ranges:
        if sum(len(words) for words in paragraphs) >= least:
            break
        paragraphs.append(text[start:end].split())
    lines, left = [], most
    for words in paragraphs:
        if len(words) > left:
            lines.append(" ".join(words[:left]) + " …")
            return "\n".join(lines), False
        lines.append(" ".join(words))
        left -= len(words)
    return "\n".join(lines), len(paragraphs) == len(ranges)


def context(text, start, end):
    """(before, passage, after): the passage with a sentence either side, within its paragraph."""
    paragraph_start, paragraph_end = next(
        ((s, e) for s, e in paragraph_ranges(text) if s <= start < e), (0, len(text))
    )
    ends = [m.end() for m in SENTENCE_END.finditer(text, paragraph_start, paragraph_end)]
    before = [e for e in ends if e <= start]
    after = [e for e in ends if e >= end]
    left = before[-2] if len(before) >= 2 else paragraph_start
    right = after[1] if len(after) >= 2 else paragraph_end
    return text[left:start].lstrip(), text[start:end], text[end:right].rstrip()


def text_fragment(quote):
    """A ``#:~:text=`` directive that opens the original page at the passage."""

    def encode(part):
        return percent_encode(part, safe="").replace("-", "%2D")

    words = quote.split()
    if len(words) <= 8:
        return "#:~:text=" + encode(" ".join(words))
    return "#:~:text=" + encode(" ".join(words[:4])) + "," + encode(" ".join(words[-4:]))


def compare_versions(versions):
    """[(version, html)]: each verbatim version with the words where it differs marked.

    Where sources quote a clause differently (“minimise”/“minimize”), the
    difference is what a reader needs to see, so it is marked, not smoothed over.
    """
    verbatim = [v for v in versions if v.verbatim]
    distinct = list(dict.fromkeys(v.quote for v in verbatim))
    result = []
    for version in versions:
        others = [quote for quote in distinct if quote != version.quote]
        if not version.verbatim or not others:
            result.append((version, _escape_lines(version.quote)))
            continue
        mine = re.split(r"(\s+)", version.quote)
        theirs = re.split(r"(\s+)", others[0])
        matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
        parts = []
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
            chunk = _escape_lines("".join(mine[i1:i2]))
            if tag == "equal" or not chunk.strip():
                parts.append(chunk)
            else:
                parts.append(format_html('<ins class="differs">{}</ins>', chunk))
        result.append((version, mark_safe("".join(parts))))
    return result


@dataclass
class Turn:
    """One claim in an exchange, with the claims that answer it."""

    claim: object
    relation: object = None  # how it answers its parent, None for an opening claim
    also_answers: list = None  # the other claims it answers, shown elsewhere in the thread
    replies: list = None


def exchange(relations, order=lambda claim: claim.pk):
    """The claims that ``relations`` link, as threads: who answered whom, each claim once.

    A claim answering several others is placed under the first of them (by ``order``)
    and lists the rest in ``also_answers``, so no pair is shown twice. Openings are the
    claims that answer nothing here (or, in a cycle, the earliest claim of it).
    """
    answers = {}  # claim pk -> [(relation, answered claim)]
    claims = {}
    for relation in relations:
        claims[relation.from_claim_id] = relation.from_claim
        claims[relation.to_claim_id] = relation.to_claim
        answers.setdefault(relation.from_claim_id, []).append(relation)
    children = {}
    for given in answers.values():
        given.sort(key=lambda relation: order(relation.to_claim))
        children.setdefault(given[0].to_claim_id, []).append(given[0])
    placed = set()

    def grow(claim, relation=None):
        placed.add(claim.pk)
        turn = Turn(claim, relation, [r.to_claim for r in answers.get(claim.pk, [])[1:]], [])
        for reply in sorted(children.get(claim.pk, []), key=lambda r: order(r.from_claim)):
            if reply.from_claim_id not in placed:
                turn.replies.append(grow(reply.from_claim, reply))
        return turn

    threads = []
    for claim in sorted(claims.values(), key=order):
        if claim.pk not in answers and claim.pk not in placed:
            threads.append(grow(claim))
    for claim in sorted(claims.values(), key=order):  # what cycles left unplaced
        if claim.pk not in placed:
            threads.append(grow(claim))
    return threads


def chronological(claim):
    """Sort key: by the source's date (undated sources last), then in source order."""
    published = claim.source.published
    return (published is None, published or 0, claim.source.slug, claim.pk)
