import pytest

from wcit.anchoring import Anchor, QuoteAmbiguous, QuoteNotFound, resolve

TEXT = "The vote was 77 for. The vote was close. The end."


def test_found_once_gives_offsets():
    anchor = resolve(TEXT, "77 for")
    assert anchor == Anchor(13, 19)
    assert TEXT[anchor.start : anchor.end] == "77 for"


def test_not_found():
    with pytest.raises(QuoteNotFound, match="is not in the text"):
        resolve(TEXT, "78 for")


def test_empty_quote_is_refused():
    with pytest.raises(QuoteNotFound, match="empty"):
        resolve(TEXT, "")


def test_ambiguous_says_how_many_and_what_to_do():
    with pytest.raises(QuoteAmbiguous, match="found 2 times: add a prefix or suffix") as info:
        resolve(TEXT, "The vote was")
    assert info.value.count == 2


def test_disambiguated_by_prefix():
    assert resolve(TEXT, "The vote was", prefix="for. ") == Anchor(21, 33)


def test_disambiguated_by_suffix():
    assert resolve(TEXT, "The vote was", suffix=" 77") == Anchor(0, 12)


def test_prefix_that_matches_nowhere():
    with pytest.raises(QuoteNotFound, match="never with the given prefix and suffix"):
        resolve(TEXT, "The vote was", prefix="zzz")


def test_overlapping_occurrences_are_all_counted():
    with pytest.raises(QuoteAmbiguous) as info:
        resolve("aaaa", "aa")
    assert info.value.count == 3


def test_quote_at_very_start_and_very_end():
    assert resolve(TEXT, "The vote was 77") == Anchor(0, 15)
    assert resolve(TEXT, "The end.") == Anchor(len(TEXT) - 8, len(TEXT))
    # A prefix longer than the text before the start cannot match.
    with pytest.raises(QuoteNotFound):
        resolve(TEXT, "The vote was 77", prefix="x")


@pytest.mark.parametrize(
    "text, quote",
    [
        ("the “spirit of compromise” prevailed", "“spirit of compromise”"),
        ("Article 5A – security", "5A – security"),
        ("WCIT Watch — Day 11", "Watch — Day"),
        ("about the\u00a0the rights", "the\u00a0the rights"),
        ("In any case,  ITU and ITR's", "case,  ITU"),
        ("Milton’s post", "Milton’s"),
    ],
)
def test_sources_real_characters_match_exactly(text, quote):
    anchor = resolve(text, quote)
    assert text[anchor.start : anchor.end] == quote


@pytest.mark.parametrize(
    "text, typed",
    [
        ("the “spirit of compromise” prevailed", '"spirit of compromise"'),
        ("Article 5A – security", "5A - security"),
        ("about the\u00a0the rights", "the the rights"),
        ("In any case,  ITU", "case, ITU"),
    ],
)
def test_lookalike_characters_do_not_match_but_are_explained(text, typed):
    with pytest.raises(QuoteNotFound, match="differs only in quotation marks, dashes or spaces"):
        resolve(text, typed)
