"""A record (CSL-JSON) as a file for a reference manager, and as a page's meta tags.

- CSL-JSON: the record itself, in a list, as CSL-JSON files hold items.
- BibTeX: ``@article`` for a newspaper article, ``@misc`` for the rest, with the
  BibLaTeX fields (``date``, ``urldate``) beside the classic ones (``year``, ``month``).
  Text fields escape TeX's special characters and keep their case in braces; URLs
  are left as BibLaTeX reads them (verbatim), with any brace or space percent-encoded.
- RIS: one ``TAG  - value`` line per field, each value on one line.
- Highwire Press ``citation_*`` tags, as Zotero's Embedded Metadata translator and
  Google Scholar read them: one ``citation_author`` per author, "Family, Given", and
  a date only where the record has one.
"""

import json
import re
from urllib.parse import quote

from .styles import MARKS

BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in BIBTEX_SPECIAL))
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# Control characters (newlines included) end a RIS line or a meta tag's sense of a value.
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
RIS_TYPES = {"article-newspaper": "NEWS", "post-weblog": "BLOG", "webpage": "ELEC"}


def one_line(text):
    return CONTROL.sub(" ", MARKS.sub("", str(text))).strip()


def name_text(name):
    """A CSL name as "Family, Given" (a literal as it is)."""
    if "literal" in name:
        return name["literal"]
    text = f"{name['family']}, {name['given']}"
    return f"{text}, {name['suffix']}" if name.get("suffix") else text


def date_parts(date):
    return date["date-parts"][0] if date else None


def iso(date):
    return "-".join(f"{part:02d}" for part in date_parts(date))


def csl_json(record):
    """The record as a CSL-JSON file: a list of one item."""
    return json.dumps([record], ensure_ascii=False, indent=2) + "\n"


# BibTeX ---------------------------------------------------------------------


def bibtex_text(value):
    """``value`` with TeX's special characters escaped, on one line."""
    return BIBTEX_PATTERN.sub(lambda match: BIBTEX_SPECIAL[match.group()], one_line(value))


def bibtex_url(url):
    return quote(one_line(url), safe=":/?#[]@!$&'()*+,;=%~-._")


def bibtex(record):
    """The record as one BibTeX entry."""
    fields = []
    if record.get("author"):
        # A literal (an organisation) in braces, so that BibTeX does not split it.
        names = [
            f"{{{bibtex_text(name['literal'])}}}"
            if "literal" in name
            else bibtex_text(name_text(name))
            for name in record["author"]
        ]
        fields.append(("author", " and ".join(names)))
    # Double braces: the title's case as given, "WCIT" not "wcit".
    fields.append(("title", f"{{{bibtex_text(record['title'])}}}"))
    container = record.get("container-title")
    newspaper = record["type"] == "article-newspaper" and container
    if container:
        fields.append(("journal" if newspaper else "organization", bibtex_text(container)))
    issued = date_parts(record.get("issued"))
    if issued:
        fields.append(("year", str(issued[0])))
        fields.append(("month", MONTHS[issued[1] - 1]))
        fields.append(("date", iso(record["issued"])))
    fields.append(("url", bibtex_url(record["URL"])))
    fields.append(("urldate", iso(record["accessed"])))
    fields.append(("language", "english"))
    note = "; ".join(
        bibtex_text(part)
        for part in (record.get("archive"), record.get("archive_location"), record.get("note"))
        if part
    )
    fields.append(("note", note))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    kind = "article" if newspaper else "misc"
    return f"@{kind}{{{record['id']},\n{body}\n}}\n"


# RIS ------------------------------------------------------------------------


def ris(record):
    """The record as one RIS reference."""
    lines = [("TY", RIS_TYPES.get(record["type"], "GEN"))]
    lines += [("AU", name_text(name)) for name in record.get("author", [])]
    lines.append(("TI", record["title"]))
    if record.get("container-title"):
        lines.append(("T2", record["container-title"]))
    issued = date_parts(record.get("issued"))
    if issued:
        lines.append(("PY", str(issued[0])))
        lines.append(("DA", "/".join(f"{part:02d}" for part in issued) + "/"))
    lines.append(("UR", record["URL"]))
    lines.append(("Y2", "/".join(f"{part:02d}" for part in date_parts(record["accessed"]))))
    lines.append(("DB", record["archive"]))
    lines.append(("AN", record["archive_location"]))
    if record.get("note"):
        lines.append(("N1", record["note"]))
    lines.append(("LA", "en"))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines)


# Meta tags ------------------------------------------------------------------


def meta_tags(record):
    """[(name, content)]: the record's Highwire Press ``citation_*`` tags."""
    tags = [("citation_title", record["title"])]
    tags += [("citation_author", name_text(name)) for name in record.get("author", [])]
    issued = date_parts(record.get("issued"))
    if issued:
        day = "/".join(f"{part:02d}" for part in issued)
        tags += [("citation_publication_date", day), ("citation_date", day)]
    if record.get("container-title"):
        tags.append(("citation_publisher", record["container-title"]))
    tags.append(("citation_public_url", record["URL"]))
    tags.append(("citation_language", record.get("language", "en")))
    return [(name, one_line(content)) for name, content in tags]
