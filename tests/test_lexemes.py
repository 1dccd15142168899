"""wcit.lexemes: PostgreSQL's English text search, emulated, checked against what
PostgreSQL 15 prints for the same input (``to_tsvector``, ``websearch_to_tsquery``)."""

import pytest

from wcit import lexemes


def test_positions_follow_postgresql():
    """SELECT to_tsvector('english', 'A non-binding resolution, with a heavy heart; ITU’s
    role. WCIT-12 5B e-mail U.S.') gives 'non-bind':2 'non':3 'bind':4 'resolut':5
    'heavi':8 'heart':9 'itu':10 'role':12 'wcit':13 '-12':14 '5b':15 'e-mail':16 'e':17
    'mail':18 'u.s':19."""
    text = "A non-binding resolution, with a heavy heart; ITU’s role. WCIT-12 5B e-mail U.S."
    document = lexemes.Document().add(text)
    assert document.positions == {
        "non-bind": {2},
        "non": {3},
        "bind": {4},
        "resolut": {5},
        "heavi": {8},
        "heart": {9},
        "itu": {10},
        "role": {12},
        "wcit": {13},
        "-12": {14},
        "5b": {15},
        "e-mail": {16},
        "e": {17},
        "mail": {18},
        "u.s": {19},
    }


@pytest.mark.parametrize(
    "query, printed",
    [
        # What websearch_to_tsquery('english', query) prints, and our reading of it.
        ("treaty", [[(False, [("treati", 0)])]]),
        ('"sense of missed"', [[(False, [("sens", 0), ("miss", 2)])]]),
        (
            "heavy or heart treaty",
            [[(False, [("heavi", 0)])], [(False, [("heart", 0)]), (False, [("treati", 0)])]],
        ),
        ('-"heavy heart"', [[(True, [("heavi", 0), ("heart", 1)])]]),
        ("non-binding", [[(False, [("non-bind", 0), ("non", 1), ("bind", 2)])]]),
        ("77-33-8", [[(False, [("77", 0), ("-33", 1), ("-8", 2)])]]),
        ("a or b", [[(False, [("b", 0)])]]),
        ("don't", []),
        ('"a sense"', [[(False, [("sens", 0)])]]),
    ],
)
def test_queries_parse_as_postgresql_reads_them(query, printed):
    assert lexemes.parse(query).groups == printed


def test_a_concatenated_text_continues_after_the_last_lexeme():
    """tsvector || tsvector shifts the second by the first's last position, stop words
    after it not counted: a phrase can run from the summary into the quote."""
    document = lexemes.Document().add("the heavy of the").add("heart")
    assert document.positions == {"heavi": {2}, "heart": {3}}
    assert document.has([("heavi", 0), ("heart", 1)])


def test_a_prefix_starts_every_word_with_the_lexeme():
    for word in ["treaty", "policies", "hoping", "dying", "cries", "relational"]:
        (lexeme, _start, _end), *_ = lexemes.tokens(word)
        assert word.startswith(lexemes.prefix(lexeme)), word
