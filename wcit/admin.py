"""The curation admin: curators keep claims, speakers and relations right.

Quotes are checked against their source on save (``Passage.clean``); the error
is shown beside the quote field and names the claim and the source.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Claim,
    ClaimEvent,
    ClaimRelation,
    Clause,
    ClauseText,
    Country,
    Dispute,
    KeyFigure,
    Position,
    Source,
    Speaker,
)

admin.site.site_header = "wcit curation"
admin.site.site_title = "wcit curation"
admin.site.index_title = "The WCIT-12 debate"


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "claim_count"]
    search_fields = ["code", "notes"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(ordering="claim_count", description="claims")
    def claim_count(self, country):
        return country.claim_count

    def get_search_results(self, request, queryset, search_term):
        """Also find countries by their ISO name, which is not stored in the database."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lower()
        if term:
            codes = [code for code, name in countries if term in name.lower()]
            queryset |= self.model.objects.filter(code__in=codes)
        return queryset, may_have_duplicates


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "role", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "role"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["quote", "summary", "speaker", "kind", "stance", "status"]
    autocomplete_fields = ["speaker"]
    extra = 0
    show_change_link = True


class ClauseTextInline(admin.StackedInline):
    model = ClauseText
    fields = ["source", "quote", "prefix", "suffix", "verbatim", "note"]
    autocomplete_fields = ["source"]
    extra = 0


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "author", "outlet", "published", "parent", "claim_count"]
    list_filter = ["kind", "outlet"]
    search_fields = ["title", "slug", "text"]
    autocomplete_fields = ["author", "parent"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ClaimInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "parent")
            .annotate(claim_count=Count("claims"))
        )

    @admin.display(ordering="claim_count", description="claims")
    def claim_count(self, source):
        return source.claim_count


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["code", "title", "description"]
    inlines = [ClauseTextInline]


class RelationInline(admin.TabularInline):
    model = ClaimRelation
    fk_name = "from_claim"
    fields = ["kind", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "relation to another claim"


class EventInline(admin.TabularInline):
    model = ClaimEvent
    fields = ["happened", "precision", "what", "occasion", "evidence", "note"]
    extra = 0
    verbose_name = "dated event the passage describes"


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["id", "summary", "source", "speaker", "kind", "stance", "status"]
    list_display_links = ["id", "summary"]
    list_filter = [
        "status",
        "kind",
        "stance",
        "signature_status",
        "clauses",
        ("source", admin.RelatedOnlyFieldListFilter),
        ("speaker", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["summary", "quote", "source__slug", "speaker__name"]
    autocomplete_fields = ["source", "speaker", "countries", "clauses"]
    list_select_related = ["source", "speaker"]
    inlines = [RelationInline, EventInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["source", "quote", "prefix", "suffix"]}),
        (
            "What it says",
            {"fields": ["summary", "speaker", "kind", "stance", "signature_status", "status"]},
        ),
        ("What it is about", {"fields": ["countries", "clauses"]}),
    ]

    @admin.action(description="Publish the selected claims", permissions=["change"])
    def publish(self, request, queryset):
        updated = self._set_status(queryset, Claim.Status.PUBLISHED)
        self.message_user(request, f"{updated} claim(s) published.", messages.SUCCESS)

    @admin.action(description="Return the selected claims to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        updated = self._set_status(queryset, Claim.Status.DRAFT)
        self.message_user(request, f"{updated} claim(s) returned to draft.", messages.SUCCESS)

    @staticmethod
    def _set_status(queryset, status):
        # save() rather than update(), so that the history records each change.
        changed = 0
        for claim in queryset.exclude(status=status):
            claim.status = status
            claim.save(update_fields=["status"])
            changed += 1
        return changed


@admin.register(ClaimRelation)
class ClaimRelationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "from_claim", "to_claim"]
    list_filter = ["kind"]
    search_fields = ["from_claim__summary", "to_claim__summary", "note"]
    autocomplete_fields = ["from_claim", "to_claim"]
    list_select_related = ["from_claim", "to_claim"]


@admin.register(KeyFigure)
class KeyFigureAdmin(admin.ModelAdmin):
    list_display = ["position", "value", "label", "claim"]
    list_display_links = ["value"]
    autocomplete_fields = ["claim"]
    list_select_related = ["claim"]


class PositionFormSet(forms.BaseInlineFormSet):
    """Two or more positions, each held by a claim, no claim on two sides of one dispute."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if len(kept) < 2:
            raise forms.ValidationError("A dispute needs at least two positions.")
        sides = {}
        for form in kept:
            claims = form.cleaned_data.get("claims") or []
            if not claims:
                form.add_error("claims", "Every position needs at least one claim that holds it.")
            for claim in claims:
                if claim.pk in sides:
                    form.add_error(
                        "claims",
                        f"Claim #{claim.pk} already takes the position “{sides[claim.pk]}” in "
                        "this dispute: a claim takes one side only.",
                    )
                sides[claim.pk] = form.cleaned_data.get("label", "")


class PositionInline(admin.StackedInline):
    model = Position
    formset = PositionFormSet
    fields = [("key", "order"), "label", "claims"]
    autocomplete_fields = ["claims"]
    extra = 0
    min_num = 2


@admin.register(Dispute)
class DisputeAdmin(SimpleHistoryAdmin):
    list_display = ["position", "question", "slug"]
    list_display_links = ["question"]
    search_fields = ["question", "summary", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["common_ground"]
    fields = ["question", "slug", "summary", "position", "common_ground"]
    inlines = [PositionInline]
