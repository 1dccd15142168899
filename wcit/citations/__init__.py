"""Citations of claims, sources, disputes and clauses: one CSL-JSON record per item
(``records``), rendered in the official Chicago, APA and MLA styles by citeproc-py
(``styles``), and written as CSL-JSON, BibTeX, RIS and meta tags (``formats``)."""

from .formats import bibtex, csl_json, meta_tags, ris
from .records import SITE_NAME, record
from .styles import STYLES, Rendering, render

__all__ = [
    "SITE_NAME",
    "STYLES",
    "Rendering",
    "bibtex",
    "csl_json",
    "meta_tags",
    "record",
    "render",
    "ris",
]
