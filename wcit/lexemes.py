"""PostgreSQL's English text search, in Python, for the embedded SQLite default.

What ``to_tsvector('english', text)`` and ``websearch_to_tsquery('english', query)``
do, for the text this corpus holds: the same tokens (words, hyphenated words with
their parts, numbers with their sign, letters-and-digits such as "5B", dotted
abbreviations and host names), the same positions (a stop word takes a position but
leaves no lexeme), English words stemmed by the same Snowball stemmer unless they are
among PostgreSQL's English stop words, everything else lower-cased as it is; and the
same query language: words AND-ed, ``or`` between them, ``-word`` for NOT, and
"quoted phrases" whose words must follow each other, a stop word counting as a place.
``tests/test_search.py`` checks that both backends find the same claims.

Not emulated, as the corpus does not need them: e-mail addresses, URLs with paths,
XML tags and version numbers, which PostgreSQL's parser also recognises.

The same machinery finds pages by their curated labels in the reader's language
(``wcit.search.page_hits``), with that language's ``Lexicon``: its Snowball stemmer and no
stop words (Snowball's lists are not shipped with the stemmers; a stop word in a query then
has to be in the label, as it mostly is in a question quoted from it), and for Chinese, which
has no spaces, each Han character a word of its own, so that a query's characters are a
phrase that must stand together: 互联网 finds the labels holding that word. Claims and the
sources are English, and searched with ``ENGLISH`` only.
"""

import re
from dataclasses import dataclass, field

import snowballstemmer

STEMMER = snowballstemmer.stemmer("english")

# PostgreSQL's share/tsearch_data/english.stop (from the Snowball project).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()  # noqa: SIM905 - PostgreSQL's file, word for word
)

# One token of PostgreSQL's default parser, in the order it tries them: a dotted name
# ("U.S", "cdt.org", "e.g", "17.5"), letters and digits mixed ("5B"), a number (signed
# when a hyphen joins it to what precedes: "77-33-8" is 77, -33, -8), a hyphenated word
# of letters, a word.
LETTERS = r"[^\W\d_]+"
TOKEN = re.compile(
    rf"(?P<dotted>\w+(?:\.\w+)+)"
    rf"|(?P<numword>(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+)"
    rf"|(?P<number>(?:(?<=\w)-)?\d+)"
    rf"|(?P<hword>{LETTERS}(?:-{LETTERS})+)"
    rf"|(?P<word>{LETTERS})"
)


def stem(word):
    """The lexeme of an English word: None for a stop word, else its Snowball stem."""
    word = word.lower()
    return None if word in STOP_WORDS else STEMMER.stemWord(word)


# Han characters (CJK unified ideographs, extension A, compatibility): each one a token.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_LETTERS = rf"[^\W\d_{HAN}]+"
HAN_TOKEN = re.compile(
    rf"(?P<han>[{HAN}])"
    rf"|(?P<dotted>\w+(?:\.\w+)+)"
    rf"|(?P<numword>(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+)"
    rf"|(?P<number>(?:(?<=\w)-)?\d+)"
    rf"|(?P<hword>{HAN_LETTERS}(?:-{HAN_LETTERS})+)"
    rf"|(?P<word>{HAN_LETTERS})"
)


@dataclass(frozen=True)
class Lexicon:
    """How one language's words become lexemes: its tokens, its stemmer, its stop words."""

    stemmer: str = "english"
    stop_words: frozenset = frozenset()
    han: bool = False

    def stem(self, word):
        word = word.lower()
        if word in self.stop_words:
            return None
        return _stemmer(self.stemmer).stemWord(word) if self.stemmer else word

    @property
    def pattern(self):
        return HAN_TOKEN if self.han else TOKEN


_STEMMERS = {"english": STEMMER}


def _stemmer(name):
    if name not in _STEMMERS:
        _STEMMERS[name] = snowballstemmer.stemmer(name)
    return _STEMMERS[name]


ENGLISH = Lexicon("english", STOP_WORDS)
# The site's languages (Django's codes): Snowball's stemmer of each; Chinese is not stemmed.
LEXICONS = {
    "en": ENGLISH,
    "ar": Lexicon("arabic"),
    "es": Lexicon("spanish"),
    "fr": Lexicon("french"),
    "ru": Lexicon("russian"),
    "zh-hans": Lexicon(None, han=True),
}


def lexicon(language):
    """The ``Lexicon`` of a language code (English for one the site does not know)."""
    return LEXICONS.get(language or "en", ENGLISH)


def tokens(text, lexicon=ENGLISH):
    """[(lexeme or None, start, end)] for each position of ``text``, as PostgreSQL numbers
    them: None where a stop word holds a place. A hyphenated word takes a place of its own,
    then one for each part."""
    found = []
    stem = lexicon.stem
    for match in lexicon.pattern.finditer(text):
        kind, value = match.lastgroup, match.group(0)
        start, end = match.span()
        if kind == "hword":
            found.append((stem(value), start, end))
            offset = start
            for part in value.split("-"):
                found.append((stem(part), offset, offset + len(part)))
                offset += len(part) + 1
        elif kind == "word":
            found.append((stem(value), start, end))
        elif kind == "han":
            found.append((value, start, end))
        else:
            found.append((value.lower(), start, end))
    return found


@dataclass
class Document:
    """The positions of each lexeme of one or more texts, as one tsvector."""

    positions: dict = field(default_factory=dict)
    last: int = 0
    lexicon: Lexicon = ENGLISH

    def add(self, text):
        """Append ``text`` as ``||`` appends a tsvector: its positions follow the last
        lexeme's (not a trailing stop word's)."""
        base, last = self.last, self.last
        for index, (lexeme, _start, _end) in enumerate(tokens(text, self.lexicon), start=1):
            if lexeme is not None:
                self.positions.setdefault(lexeme, set()).add(base + index)
                last = base + index
        self.last = last
        return self

    def has(self, phrase):
        """Whether ``phrase``, [(lexeme, distance from the first)], stands in the text."""
        (first, _zero), *rest = phrase
        return any(
            all(start + distance in self.positions.get(lexeme, ()) for lexeme, distance in rest)
            for start in self.positions.get(first, ())
        )


@dataclass
class Query:
    """A parsed websearch query: OR of groups, each an AND of (negated, phrase) terms."""

    groups: list

    def __bool__(self):
        return bool(self.groups)

    def matches(self, document):
        return any(
            all(document.has(phrase) != negated for negated, phrase in group)
            for group in self.groups
        )

    def lexemes(self):
        """The lexemes a matching text holds for certain: those of the positive terms."""
        return {
            lexeme
            for group in self.groups
            for negated, phrase in group
            if not negated
            for lexeme, _distance in phrase
        }


# A query's parts: a quoted phrase (the closing quote may be missing), or a word; either
# may be negated by a leading hyphen.
CHUNK = re.compile(r'(?P<minus>-?)(?:"(?P<quoted>[^"]*)"?|(?P<word>[^\s"]+))')


def parse(text, lexicon=ENGLISH):
    """``websearch_to_tsquery('english', text)``: an empty Query where nothing is left.
    With another ``lexicon``, the same query language over that language's lexemes."""
    groups, group, join = [], [], False
    for match in CHUNK.finditer(text or ""):
        quoted, word, negated = match["quoted"], match["word"], bool(match["minus"])
        if word is not None and word.lower() == "or" and not negated:
            join = bool(group)
            continue
        phrase = _phrase(quoted if quoted is not None else word, lexicon)
        if not phrase:
            continue
        if join:
            groups.append(group)
            group, join = [], False
        group.append((negated, phrase))
    if group:
        groups.append(group)
    return Query(groups)


def _phrase(text, lexicon=ENGLISH):
    """[(lexeme, distance from the first lexeme)] of ``text``, stop words leaving gaps."""
    placed = [
        (index, lexeme) for index, (lexeme, _s, _e) in enumerate(tokens(text, lexicon)) if lexeme
    ]
    if not placed:
        return []
    first = placed[0][0]
    return [(lexeme, index - first) for index, lexeme in placed]


def prefix(lexeme):
    """Letters every word with this lexeme begins with, to narrow a search in SQL: a stem
    less its last letter ("treati" comes from "treaty", "polici" from "policies"), but the
    first letter of the stems Snowball gives irregular words ("dying" is "die")."""
    if lexeme in {"die", "lie", "tie"}:
        return lexeme[0]
    return lexeme[:-1] if len(lexeme) > 2 and lexeme.isalpha() else lexeme
