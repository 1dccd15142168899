"""Resolve a quote to exactly one place in a text (W3C TextQuoteSelector).

A selector is the exact passage (``quote``) with optional ``prefix`` and
``suffix``: the text that must stand immediately before and after it. It
resolves to character offsets ``(start, end)`` with ``text[start:end] == quote``
at exactly one place. There is no fuzzy matching: a selector that does not
resolve is an error for a person to fix, never a passage silently moved
(the known failure of fuzzy re-anchoring in annotation tools).
"""

import re
from dataclasses import dataclass

# Characters the sources use that a curator is likely to type differently.
# Used only to explain a failure, never to match.
_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)
_SPACES = re.compile(r"\s+")


class AnchorError(ValueError):
    """A selector that does not resolve to exactly one place."""


class QuoteNotFound(AnchorError):
    pass


class QuoteAmbiguous(AnchorError):
    def __init__(self, message, count):
        super().__init__(message)
        self.count = count


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int


def _loosen(text):
    return _SPACES.sub(" ", text.translate(_LOOKALIKES))


def _occurrences(text, quote):
    start = text.find(quote)
    while start != -1:
        yield start
        start = text.find(quote, start + 1)


def _short(quote, limit=60):
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def resolve(text, quote, prefix="", suffix=""):
    """Return the one ``Anchor`` where ``prefix + quote + suffix`` stands in ``text``.

    Raises ``QuoteNotFound`` or ``QuoteAmbiguous`` with a message a curator
    can act on.
    """
    if not quote:
        raise QuoteNotFound("The quote is empty.")
    starts = list(_occurrences(text, quote))
    if not starts:
        hint = ""
        if _loosen(quote) in _loosen(text):
            hint = (
                " A passage differs only in quotation marks, dashes or spaces: "
                "copy the quote from the source text exactly."
            )
        raise QuoteNotFound(f"The quote “{_short(quote)}” is not in the text.{hint}")
    matches = [
        start
        for start in starts
        if text[max(0, start - len(prefix)) : start] == prefix
        and text[start + len(quote) : start + len(quote) + len(suffix)] == suffix
    ]
    if not matches:
        raise QuoteNotFound(
            f"The quote “{_short(quote)}” is in the text {len(starts)} time(s), "
            "but never with the given prefix and suffix."
        )
    if len(matches) > 1:
        raise QuoteAmbiguous(
            f"The quote “{_short(quote)}” is found {len(matches)} times: "
            "add a prefix or suffix (the text just before or after it) "
            "so that it resolves to one place.",
            count=len(matches),
        )
    return Anchor(matches[0], matches[0] + len(quote))
