from django.contrib import admin
from django.urls import path, register_converter

from . import api, curation, health, views
from .feeds import ClaimFeed
from .views import embeds


class ExportFormat:
    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormat, "format")

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("oembed", embeds.oembed, name="oembed"),
    path("claims/<int:pk>/embed/", embeds.claim_embed, name="claim-embed"),
    path("claims/<int:pk>/card.png", embeds.claim_card, name="claim-card"),
    path("disputes/<slug:slug>/card.png", embeds.dispute_card, name="dispute-card"),
    path("countries/<str:code>/card.png", embeds.country_card, name="country-card"),
    path("clauses/<slug:code>/card.png", embeds.clause_card, name="clause-card"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/by-clause/", views.country_clause_matrix, name="country-clause-matrix"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("clauses/", views.ClauseListView.as_view(), name="clause-list"),
    path("clauses/<slug:code>/", views.ClauseDetailView.as_view(), name="clause-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("speakers/", views.SpeakerListView.as_view(), name="speaker-list"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker-detail"),
    path("disputes/", views.DisputeListView.as_view(), name="dispute-list"),
    path("disputes/<slug:slug>/", views.DisputeDetailView.as_view(), name="dispute-detail"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/feed/", ClaimFeed(), name="claim-feed"),
    path("search/", views.search_page, name="search"),
    path("countries.<format:format>", views.CountryListView.as_view(), name="country-export"),
    path("sources.<format:format>", views.SourceListView.as_view(), name="source-export"),
    path("speakers.<format:format>", views.SpeakerListView.as_view(), name="speaker-export"),
    path("claims.<format:format>", views.ClaimListView.as_view(), name="claim-export"),
    path("disputes.<format:format>", views.DisputeListView.as_view(), name="dispute-export"),
    path("api/", api.urls()),
    path("admin/changes/", admin.site.admin_view(curation.changes_view), name="admin-changes"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]

handler400 = views.bad_request
handler404 = views.page_not_found
handler500 = "wcit.middleware.server_error"
