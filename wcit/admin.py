"""The curation admin: curators keep claims, speakers and relations right.

Quotes are checked against their source on save (``Passage.clean``); the error
is shown beside the quote field and names the claim and the source. Claims go
draft -> in review -> published: curators submit, reviewers (``publish_claim``)
publish. Every ModelAdmin here is a ``CuratedAdmin`` and every inline a
``LockedInline``: a save from a form opened before someone else saved the record or
one of its rows is refused, and a revert restores relations too (``curation``).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.text import Truncator
from django_countries import countries

from .curation import (
    AutocompleteMixin,
    CuratedAdmin,
    LockedInline,
    OptimisticLockForm,
    TranslationAdmin,
    TranslationInlineModelAdmin,
    ensure_baseline,
    is_reviewer,
)
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
    Statement,
)

admin.site.site_header = "wcit curation"
admin.site.site_title = "wcit curation"
admin.site.index_title = "The WCIT-12 debate"


@admin.register(Country)
class CountryAdmin(CuratedAdmin):
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
class SpeakerAdmin(AutocompleteMixin, TranslationAdmin, CuratedAdmin):
    # Every speaker is public: a curator's change waits for a reviewer.
    reviewed = True
    list_display = ["name", "kind", "role", "country", "delegation"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "role"]
    autocomplete_fields = ["country", "delegation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Statement)
class StatementAdmin(AutocompleteMixin, CuratedAdmin):
    """A statement a source quotes whole: its quote is anchored like a claim's passage."""

    # Every statement is public (on its speaker's page): a change waits for a reviewer.
    reviewed = True
    list_display = ["title", "speaker", "source"]
    search_fields = ["title", "slug", "quote"]
    autocomplete_fields = ["speaker", "source"]
    list_select_related = ["speaker", "source"]
    prepopulated_fields = {"slug": ["title"]}

    class Media:
        js = ["wcit/admin/passage-picker.js"]


class ClaimInlineFormSet(forms.BaseInlineFormSet):
    """A source's claims. A change to a published claim is reviewed: only a reviewer's source
    form may make it; anyone else makes it in the claim's own form, as a revision."""

    can_publish = False

    def clean(self):
        super().clean()
        if self.can_publish:
            return
        changed = {form.instance.pk: form for form in self.initial_forms if form.has_changed()}
        published = Claim.objects.published().filter(pk__in=changed).values_list("pk", flat=True)
        for pk in published:
            changed[pk].add_error(
                None,
                f"Claim #{pk} is published: change it in its own form, where a reviewer "
                "accepts the change before the site shows it.",
            )


class ClaimInline(AutocompleteMixin, LockedInline, admin.TabularInline):
    model = Claim
    formset = ClaimInlineFormSet
    fields = ["quote", "summary", "speaker", "kind", "stance", "status"]
    # Publishing goes through the claim's own form or action, which record who and when.
    readonly_fields = ["status"]
    autocomplete_fields = ["speaker"]
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.can_publish = request.user.has_perm("wcit.publish_claim")
        return formset


class ClauseTextInline(AutocompleteMixin, LockedInline, admin.StackedInline):
    model = ClauseText
    fields = ["source", "quote", "prefix", "suffix", "verbatim", "note"]
    autocomplete_fields = ["source"]
    extra = 0

    class Media:
        js = ["wcit/admin/passage-picker.js"]


@admin.register(Source)
class SourceAdmin(AutocompleteMixin, CuratedAdmin):
    list_display = ["title", "kind", "author", "outlet", "published", "parent", "claim_count"]
    list_filter = ["kind", "outlet"]
    search_fields = ["title", "slug", "text"]
    autocomplete_fields = ["author", "parent"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ClaimInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_urls(self):
        return [
            path(
                "<int:pk>/text/",
                self.admin_site.admin_view(self.text_view),
                name="wcit_source_text",
            ),
            *super().get_urls(),
        ]

    def text_view(self, request, pk):
        """The source's full text as JSON, for the passage picker of claim and clause forms."""
        if not self.has_view_permission(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        source = get_object_or_404(Source, pk=pk)
        return JsonResponse({"slug": source.slug, "title": source.title, "text": source.text})

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
class ClauseAdmin(TranslationAdmin, CuratedAdmin):
    list_display = ["code", "title", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["code", "title", "description"]
    inlines = [ClauseTextInline]
    revert_related = ["texts"]


class RelationInline(AutocompleteMixin, LockedInline, admin.TabularInline):
    model = ClaimRelation
    fk_name = "from_claim"
    fields = ["kind", "to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 0
    verbose_name = "relation to another claim"
    verbose_name_plural = "relations to other claims"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A tabular row shows its labels only in the table head: name each input.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(db_field.verbose_name).capitalize())
        return field


class ClaimForm(OptimisticLockForm):
    """The claim form: only a reviewer's form may move a claim into or out of published."""

    can_publish = False

    class Meta:
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}

    def clean(self):
        cleaned = super().clean()
        stored = (
            Claim.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
            if self.instance.pk
            else None
        )
        was = stored or Claim.Status.DRAFT
        # A revert form's instance holds the old version's status: compare with the stored one.
        new = cleaned.get("status", self.instance.status)
        published = Claim.Status.PUBLISHED
        if not self.can_publish and (new == published) != (was == published):
            message = (
                "Only a reviewer can publish a claim: set it to “In review” instead."
                if new == published
                else "Only a reviewer can take a published claim off the site."
            )
            if "status" in self.fields:
                self.add_error("status", message)
            else:
                raise ValidationError(message)
        return cleaned


class EventInline(TranslationInlineModelAdmin, LockedInline, admin.TabularInline):
    model = ClaimEvent
    fields = ["happened", "precision", "what", "occasion", "evidence", "note"]
    extra = 0
    verbose_name = "dated event the passage describes"


@admin.register(Claim)
class ClaimAdmin(AutocompleteMixin, CuratedAdmin):
    list_display = ["id", "summary", "source_title", "speaker", "kind_and_stance", "status"]
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
    form = ClaimForm
    revert_related = ["relations_out", "events"]
    # A curator's change to a published claim waits for a reviewer.
    reviewed = True
    actions = ["submit_for_review", "publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["source", "quote", "prefix", "suffix"]}),
        (
            "What it says",
            {"fields": ["summary", "speaker", "kind", "stance", "signature_status", "status"]},
        ),
        ("What it is about", {"fields": ["countries", "clauses"]}),
    ]

    class Media:
        js = ["wcit/admin/passage-picker.js"]

    @admin.display(ordering="source__slug", description="source")
    def source_title(self, claim):
        # Full titles run to 90 characters: at 1280 px the list would scroll sideways.
        return Truncator(claim.source.title).chars(48)

    @admin.display(ordering="kind", description="kind, stance")
    def kind_and_stance(self, claim):
        if claim.stance:
            return f"{claim.get_kind_display()}, {claim.get_stance_display().lower()}"
        return claim.get_kind_display()

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm("wcit.publish_claim")

    def is_published(self, obj):
        # The stored status: a form may have changed the instance's.
        return Claim.objects.filter(pk=obj.pk, status=Claim.Status.PUBLISHED).exists()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        if not form.can_publish and "status" in form.base_fields:
            field = form.base_fields["status"]
            field.choices = [c for c in field.choices if c[0] != Claim.Status.PUBLISHED]
            field.help_text = "Set “In review” when it is ready: a reviewer publishes it."
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        published = obj is not None and obj.status == Claim.Status.PUBLISHED
        if published and not self.has_publish_permission(request):
            fields.append("status")
        if obj is not None and obj.published_at:
            fields += ["published_at", "published_by"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.published_at:
            fieldsets = [*fieldsets, ("Review", {"fields": ["published_at", "published_by"]})]
        return fieldsets

    def save_model(self, request, obj, form, change):
        stored = Claim.objects.filter(pk=obj.pk).values("status", "published_at", "published_by")
        stored = stored.first() if obj.pk else None
        # Publishing, or accepting a change to a published claim, records who and when.
        accepting = getattr(request, "accepting", None) is not None
        if obj.status == Claim.Status.PUBLISHED and (
            stored is None or stored["status"] != Claim.Status.PUBLISHED or accepting
        ):
            obj.mark_published(request.user)
        elif stored is not None:
            # Publication is recorded by publishing, not restored by a revert.
            obj.published_at = stored["published_at"]
            obj.published_by_id = stored["published_by"]
        super().save_model(request, obj, form, change)

    @admin.action(description="Submit the selected claims for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        updated = self._set_status(request, queryset.filter(status=Claim.Status.DRAFT))
        self.message_user(request, f"{updated} claim(s) submitted for review.", messages.SUCCESS)

    @admin.action(description="Publish the selected claims", permissions=["publish"])
    def publish(self, request, queryset):
        updated = self._set_status(request, queryset, Claim.Status.PUBLISHED)
        self.message_user(request, f"{updated} claim(s) published.", messages.SUCCESS)

    @admin.action(description="Return the selected claims to draft", permissions=["change"])
    def unpublish(self, request, queryset):
        if not self.has_publish_permission(request):
            skipped = queryset.filter(status=Claim.Status.PUBLISHED).count()
            queryset = queryset.exclude(status=Claim.Status.PUBLISHED)
            if skipped:
                self.message_user(
                    request,
                    f"{skipped} published claim(s) left as they are: only a reviewer can "
                    "take a claim off the site.",
                    messages.WARNING,
                )
        updated = self._set_status(request, queryset, Claim.Status.DRAFT)
        self.message_user(request, f"{updated} claim(s) returned to draft.", messages.SUCCESS)

    def _set_status(self, request, queryset, status=Claim.Status.IN_REVIEW):
        # save() rather than update(), so that the history records each change.
        when = self.save_time(request)
        changed = 0
        for claim in queryset.exclude(status=status):
            ensure_baseline(claim, when)
            claim._history_date = when
            claim._history_user = request.user
            fields = ["status"]
            if status == Claim.Status.PUBLISHED:
                claim.mark_published(request.user)
                fields += ["published_at", "published_by"]
            else:
                claim.status = status
            claim.save(update_fields=fields)
            changed += 1
        return changed


class RelationForm(OptimisticLockForm):
    """A relation on its own. One between two published claims is public: only a reviewer's
    form may make one (a curator's change to one that is already public is reviewed)."""

    can_publish = False

    def clean(self):
        cleaned = super().clean()
        ends = [cleaned.get("from_claim"), cleaned.get("to_claim")]
        if self.can_publish or not all(c and c.status == Claim.Status.PUBLISHED for c in ends):
            return cleaned
        stored = ClaimRelation.objects.published().filter(pk=self.instance.pk or 0)
        if not stored.exists():
            raise ValidationError(
                f"Claims #{ends[0].pk} and #{ends[1].pk} are published: relate them in claim "
                f"#{ends[0].pk}'s own form, where a reviewer accepts the change before the "
                "site shows it."
            )
        return cleaned


@admin.register(ClaimRelation)
class ClaimRelationAdmin(AutocompleteMixin, CuratedAdmin):
    list_display = ["__str__", "kind", "from_claim", "to_claim"]
    list_filter = ["kind"]
    search_fields = ["from_claim__summary", "to_claim__summary", "note"]
    autocomplete_fields = ["from_claim", "to_claim"]
    list_select_related = ["from_claim", "to_claim"]
    form = RelationForm
    # A relation between two published claims is public: a curator's change waits for a
    # reviewer, as it does in the claim's form.
    reviewed = True

    def is_published(self, obj):
        return ClaimRelation.objects.published().filter(pk=obj.pk).exists()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.can_publish = is_reviewer(request.user)
        return form


@admin.register(KeyFigure)
class KeyFigureAdmin(AutocompleteMixin, TranslationAdmin, CuratedAdmin):
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


class PositionInline(TranslationInlineModelAdmin, LockedInline, admin.StackedInline):
    model = Position
    formset = PositionFormSet
    fields = [("key", "order"), "label", "claims"]
    autocomplete_fields = ["claims"]
    extra = 0
    min_num = 2


@admin.register(Dispute)
class DisputeAdmin(TranslationAdmin, CuratedAdmin):
    # Every dispute is public: a curator's change (question, summary, sides) waits for a
    # reviewer.
    reviewed = True
    list_display = ["position", "question", "slug"]
    list_display_links = ["question"]
    search_fields = ["question", "summary", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["common_ground"]
    fields = ["question", "slug", "summary", "position", "common_ground"]
    inlines = [PositionInline]
    revert_related = ["positions"]
