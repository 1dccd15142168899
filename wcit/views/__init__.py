"""The views, one module per kind of page: ``lists`` (the filterable lists and their CSV
and JSON twins), ``pages`` (home and the detail pages), ``search``, ``errors``, ``corpus``
(the whole corpus as a ZIP and a SQLite file, and the page offering them);
``figures`` prepares the pictures' data and ``downloads`` streams the twins."""

from .corpus import download, download_file
from .errors import bad_request, page_not_found
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
    "favicon",
    "country_clause_matrix",
    "download",
    "download_file",
    "home",
    "page_not_found",
    "search_page",
]
