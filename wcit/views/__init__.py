"""The views, one module per kind of page: ``lists`` (the filterable lists and their CSV
and JSON twins), ``pages`` (home and the detail pages), ``compare`` (countries side by
side), ``embeds`` (cards other sites frame, link previews), ``cite``, ``corpus`` (the
whole corpus as a ZIP and a SQLite file), ``search``, ``errors``, ``language`` (the
switcher); ``figures`` prepares the pictures' data, ``outlines`` what dispute and source
pages lead with, and ``downloads`` streams the twins."""

from .cite import claim_cite, clause_cite, dispute_cite, source_cite
from .compare import compare_countries
from .corpus import download, download_file
from .errors import bad_request, page_not_found
from .language import set_language
from .lists import (
    ClaimListView,
    ClauseListView,
    CountryListView,
    DisputeListView,
    SourceListView,
    SpeakerListView,
)
from .pages import (
    ClaimDetailView,
    ClauseDetailView,
    CountryDetailView,
    DisputeDetailView,
    SourceDetailView,
    SpeakerDetailView,
    country_clause_matrix,
    favicon,
    home,
)
from .search import SEARCH_LIMIT, search_page

__all__ = [
    "SEARCH_LIMIT",
    "ClaimDetailView",
    "ClaimListView",
    "ClauseDetailView",
    "ClauseListView",
    "CountryDetailView",
    "CountryListView",
    "DisputeDetailView",
    "DisputeListView",
    "SourceDetailView",
    "SourceListView",
    "SpeakerDetailView",
    "SpeakerListView",
    "bad_request",
    "claim_cite",
    "clause_cite",
    "dispute_cite",
    "source_cite",
    "compare_countries",
    "favicon",
    "country_clause_matrix",
    "download",
    "download_file",
    "home",
    "page_not_found",
    "search_page",
    "set_language",
]
