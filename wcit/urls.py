from django.contrib import admin
from django.urls import path, register_converter

from . import api, curation, health, views
from .feeds import ClaimFeed, ClauseFeed, CountryFeed, DisputeFeed, SourceFeed, SpeakerFeed
from .languages import localized
from .views import embeds


class ExportFormat:
    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "format")


class CiteFormat(ExportFormat):
    regex = "bib|ris|json"


register_converter(CiteFormat, "cite")

# Pages a reader reads, in each language (wcit.languages: English unprefixed, as before; the
# others under /ar/, /es/, /fr/, /ru/, /zh/). Their feeds too: a feed's title and entries'
# labels are interface. The claim card other sites frame is a page, so it speaks their language.
pages = localized(
    path("", views.home, name="home"),
    path("claims/<int:pk>/embed/", embeds.claim_embed, name="claim-embed"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/by-clause/", views.country_clause_matrix, name="country-clause-matrix"),
    path("countries/compare/", views.compare_countries, name="country-compare"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("countries/<str:key>/feed/", CountryFeed(), name="country-feed"),
    path("clauses/", views.ClauseListView.as_view(), name="clause-list"),
    path("clauses/<slug:code>/", views.ClauseDetailView.as_view(), name="clause-detail"),
    path("clauses/<slug:key>/feed/", ClauseFeed(), name="clause-feed"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("sources/<slug:key>/feed/", SourceFeed(), name="source-feed"),
    path("speakers/", views.SpeakerListView.as_view(), name="speaker-list"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker-detail"),
    path("speakers/<slug:key>/feed/", SpeakerFeed(), name="speaker-feed"),
    path("disputes/", views.DisputeListView.as_view(), name="dispute-list"),
    path("disputes/<slug:slug>/", views.DisputeDetailView.as_view(), name="dispute-detail"),
    path("disputes/<slug:key>/feed/", DisputeFeed(), name="dispute-feed"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/feed/", ClaimFeed(), name="claim-feed"),
    path("search/", views.search_page, name="search"),
    path("download/", views.download, name="download"),
)

# One address whatever the reader's language: files and data read by programs (the CSV and
# JSON twins, citations, the corpus files, the API), link-preview images (their font has no
# Arabic or Chinese), the admin (curators edit every language's labels in one form), the health
# check, and the switcher, which sets the language cookie and goes to the page it names.
urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("language/<str:code>/", views.set_language, name="set-language"),
    path("oembed", embeds.oembed, name="oembed"),
    path("claims/<int:pk>/card.png", embeds.claim_card, name="claim-card"),
    path("disputes/<slug:slug>/card.png", embeds.dispute_card, name="dispute-card"),
    path("countries/<str:code>/card.png", embeds.country_card, name="country-card"),
    path("clauses/<slug:code>/card.png", embeds.clause_card, name="clause-card"),
    path("claims/<int:pk>/cite.<cite:fmt>", views.claim_cite, name="claim-cite"),
    path("sources/<slug:slug>/cite.<cite:fmt>", views.source_cite, name="source-cite"),
    path("disputes/<slug:slug>/cite.<cite:fmt>", views.dispute_cite, name="dispute-cite"),
    path("clauses/<slug:code>/cite.<cite:fmt>", views.clause_cite, name="clause-cite"),
    path("countries.<format:format>", views.CountryListView.as_view(), name="country-export"),
    path("sources.<format:format>", views.SourceListView.as_view(), name="source-export"),
    path("speakers.<format:format>", views.SpeakerListView.as_view(), name="speaker-export"),
    path("claims.<format:format>", views.ClaimListView.as_view(), name="claim-export"),
    path("disputes.<format:format>", views.DisputeListView.as_view(), name="dispute-export"),
    path("download/wcit-corpus.zip", views.download_file, {"kind": "zip"}, name="download-zip"),
    path(
        "download/wcit-corpus.sqlite",
        views.download_file,
        {"kind": "sqlite"},
        name="download-sqlite",
    ),
    path("api/", api.urls()),
    path("admin/changes/", admin.site.admin_view(curation.changes_view), name="admin-changes"),
    path("admin/review/", admin.site.admin_view(curation.review_view), name="admin-review"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    *pages,
]

handler400 = views.bad_request
handler404 = views.page_not_found
handler500 = "wcit.middleware.server_error"
