import re

import pytest
from django.core.management import CommandError, call_command

from wcit import coverage
from wcit.models import Claim, Country, Source

pytestmark = pytest.mark.django_db

SMALL_TEXT = """A Small Source Title

Ann Author
1 January 2013

Dear reader,

The vote was held late at night and it passed by a wide margin.

> Someone else said this long quoted sentence in an earlier comment.

The treaty does not mention the Internet anywhere in its articles. Several delegations objected.

http://example.org/a-link-that-asserts-nothing

/Ann"""


@pytest.fixture
def small_corpus(make_claim):
    first = Source.objects.create(
        slug="small", title="A Small Source Title", kind="blog_post", text=SMALL_TEXT
    )
    second = Source.objects.create(
        slug="smaller",
        title="Smaller",
        kind="comment",
        parent=first,
        text="Thanks,\n\nI think the vote was unfair to the smaller delegations present.\n\nBo",
    )
    make_claim(source=first, quote="it passed by a wide margin", kind="fact")
    make_claim(source=first, quote="The vote was held late at night", kind="fact")
    make_claim(source=first, quote="Several delegations objected.", kind="opinion")
    make_claim(source=second, quote="the vote was unfair", kind="opinion", status="draft")
    return [first, second]


@pytest.mark.parametrize(
    "paragraph, bearing",
    [
        ("Kevin Reed  \n28 December 2012", False),
        ("Dear Milton,", False),
        ("FYI,\n/John", False),
        ("John Curran\nPresident and CEO\nARIN", False),
        ("Olivier\n(speaking entirely on my own behalf)", False),
        ("http://bit.ly/12e0Udg", False),
        ("# US walks out of World Conference on Information Technology", False),
        ("> quoted words from another comment that go on for a while.", False),
        ("(Weekly Organ of the Communist Party of India (Marxist)", False),
        ("So what happened?", False),
        ("Dear Milton,\nmany of us on the ground were really sorry not to see you.", True),
        ("It remains a fact that nothing in the final ITRs mentions the Internet.", True),
        ("“It’s fair to suggest that the spear tip of controversy is jabbing.”", True),
    ],
)
def test_what_counts_as_claim_bearing(paragraph, bearing):
    assert coverage.is_claim_bearing(paragraph) is bearing


def test_report_arithmetic_on_a_small_built_corpus(small_corpus):
    report = coverage.build_report(small_corpus)
    first, second = report.sources
    assert (first.paragraphs, first.claim_bearing, first.covered) == (8, 2, 2)
    assert first.kinds == {"fact": 2, "opinion": 1}
    # The only claim of the second source is a draft: it does not count.
    assert (second.paragraphs, second.claim_bearing, second.covered) == (3, 1, 0)
    assert second.percent == 0.0
    assert second.uncovered == ["I think the vote was unfair to the smaller delegations present."]
    totals = report.totals
    assert (totals.paragraphs, totals.claim_bearing, totals.covered) == (11, 3, 2)
    assert totals.percent == pytest.approx(200 / 3)
    assert totals.kinds == {"fact": 2, "opinion": 1}


def test_report_lists_countries_and_claims_without_tags(small_corpus):
    lonely = Country.objects.create(code="IS")
    report = coverage.build_report(small_corpus)
    assert lonely in report.countries_without_claims
    assert len(report.claims_without_country_or_clause) == 3


def test_corpus_report_passes_and_states_its_rule(capsys):
    call_command("corpus_report")
    out = capsys.readouterr().out
    assert "claim-bearing" in out and "greeting" in out
    total = next(line for line in out.splitlines() if line.startswith("TOTAL"))
    assert "100.0%" in total
    assert "Countries with no claim: 0" in out
    assert "Anchors that fail: 0" in out


def test_corpus_report_fails_on_a_broken_anchor(capsys):
    claim = Claim.objects.first()
    Claim.objects.filter(pk=claim.pk).update(quote="nowhere in any text")
    with pytest.raises(CommandError, match="1 anchors do not resolve"):
        call_command("corpus_report")
    assert f"Claim #{claim.pk}" in capsys.readouterr().err


def test_every_source_is_at_least_95_percent_covered():
    for row in coverage.build_report().sources:
        assert row.percent >= 95, (row.source.slug, row.uncovered)


FIGURE = re.compile(r"(?<![\w\[])\d+(?:[,.:]\d+)*(?![\w\]])")


def test_every_figure_in_the_sources_is_inside_a_claim():
    """Votes, counts, dates and times: each number in a claim-bearing paragraph is quoted."""
    from wcit.reading import paragraph_ranges

    missing = []
    for source in Source.objects.prefetch_related("claims"):
        ranges = [(c.anchor.start, c.anchor.end) for c in source.claims.all()]
        for start, end in paragraph_ranges(source.text):
            paragraph = source.text[start:end]
            if not coverage.is_claim_bearing(paragraph, source.title):
                continue
            for match in FIGURE.finditer(paragraph):
                a, b = start + match.start(), start + match.end()
                line = source.text[source.text.rfind("\n", 0, a) + 1 : a]
                if line.lstrip().startswith(">"):
                    continue
                if not any(s <= a and b <= e for s, e in ranges):
                    missing.append((source.slug, source.text[max(start, a - 40) : b + 20]))
    assert missing == []


def test_every_country_named_has_a_claim():
    assert not Country.objects.with_claim_counts().filter(claim_count=0).exists()


def test_the_report_lists_the_claims_in_no_relation_and_no_dispute(make_claim):
    """A new claim, related to nothing and on no side, is listed; relating it removes it."""
    from wcit.models import ClaimRelation

    claim = make_claim()
    assert claim.pk in coverage.debate_figures().unlinked
    ClaimRelation.objects.create(from_claim=claim, to_claim_id=176, kind="supports")
    figures = coverage.debate_figures()
    assert claim.pk not in figures.unlinked
    assert 176 not in figures.unlinked
