"""``CuratedAdmin``: the ModelAdmin base that brings locking, revert and history together."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from ..models import Revision
from .history import (
    LOCK_FIELD,
    ensure_baseline,
    group_last,
    history_model,
    m2m_fields,
    record_values,
)
from .locking import OptimisticLockForm
from .revert import related_at, restore_related
from .revisions import change_reason, is_reviewer, propose

# The admin --------------------------------------------------------------------


class LockedInline:
    """An inline whose rows are locked like their object: a row saved by someone else since
    the form was opened refuses the whole save (``OptimisticLockForm``). Its model must
    have ``HistoricalRecords``."""

    form = OptimisticLockForm

    def get_fields(self, request, obj=None):
        # The row's version travels in a hidden input of its row.
        return [*super().get_fields(request, obj), LOCK_FIELD]


class LockedRowsMixin:
    """A ModelAdmin whose change form shows, on top, every conflict of the object and its
    rows (``LockedInline``), each with what was saved since the form was opened."""

    change_form_template = "admin/wcit/curated_change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        rows = [
            form
            for inline in context.get("inline_admin_formsets", [])
            for form in inline.formset.forms
        ]
        context["lock_conflicts"] = [
            form.conflict
            for form in [context["adminform"].form, *rows]
            if getattr(form, "conflict", None)
        ]
        return super().render_change_form(request, context, *args, **kwargs)


class CuratedAdmin(LockedRowsMixin, SimpleHistoryAdmin):
    """History in save groups, optimistic locking, and a revert that restores relations.

    ``revert_related`` names reverse relations (e.g. ``["relations_out"]``,
    ``["positions"]``) whose rows a revert restores with the object; their
    model must have ``HistoricalRecords`` too.

    With ``reviewed``, a change to a published object (``is_published``) by
    someone who is not a reviewer is not saved: the form and its rows, once
    valid, become a pending ``Revision`` that a reviewer accepts or sends back
    (``curation.revisions``). A reviewer's own change is saved and published at
    once, and the history says so.
    """

    form = OptimisticLockForm
    revert_related = []
    reviewed = False
    object_history_template = "admin/wcit/curated_history.html"

    # Review of changes to published content ------------------------------------

    def is_published(self, obj):
        """Whether the public sees ``obj`` as stored (claims override: only published ones)."""
        return True

    def needs_review(self, request, obj):
        """Whether a change to ``obj`` by this user waits for a reviewer."""
        return (
            self.reviewed
            and obj is not None
            and not is_reviewer(request.user)
            and self.is_published(obj)
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        review = self.needs_review(request, obj)
        request.proposing = request.method == "POST" and review
        if request.method == "POST" and obj is not None and self.reviewed and not review:
            request.correcting = self.is_published(obj)
        pending = Revision.objects.pending().of(self.model, obj.pk) if obj is not None else []
        context = {"pending_revisions": pending, "needs_review": review, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, context)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "proposing", False):
            request.revision = propose(request, form, formsets)
            return
        super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "proposing", False):
            return ""  # the formsets were not saved: the revision says what changes
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        if getattr(request, "proposing", False):
            return None  # nothing changed yet: the revision is the record
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if not getattr(request, "proposing", False):
            return super().response_change(request, obj)
        revision = request.revision
        if revision is None:
            self.message_user(request, "Nothing was changed.", messages.INFO)
            return HttpResponseRedirect(request.path)
        self.message_user(
            request,
            f"Your change to “{revision.object_label}” waits for a reviewer: the site shows "
            "the published version until one accepts it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(f"{reverse('admin-review')}#revision-{revision.pk}")

    def reason(self, request):
        """What the history says of this request's changes, when it is not a plain edit."""
        if getattr(request, "accepting", None) is not None:
            return change_reason(request.accepting, request.user)
        if getattr(request, "correcting", False):
            return "A reviewer's correction, published at once"
        return None

    def revert_disabled(self, request, obj=None):
        # A revert changes the object at once: for published content, reviewers' only.
        return super().revert_disabled(request, obj) or self.needs_review(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        pk = unquote(object_id)
        revisions = Revision.objects.none()
        if pk.isdigit():
            revisions = Revision.objects.of(self.model, pk).select_related(
                "proposed_by", "reviewed_by"
            )
        context = {"revisions": revisions, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    # Saving in save groups -----------------------------------------------------------
    object_history_form_template = "admin/wcit/curated_history_form.html"

    def get_fields(self, request, obj=None):
        # The version travels in the form's own hidden input, not in a fieldset row.
        return [f for f in super().get_fields(request, obj) if f != LOCK_FIELD]

    def save_time(self, request):
        """One date for every history record this request writes: a save group."""
        if not hasattr(request, "_curation_time"):
            request._curation_time = timezone.now()
        return request._curation_time

    def save_model(self, request, obj, form, change):
        if getattr(request, "proposing", False):
            return  # saved as a revision, with its rows, by save_related
        when = self.save_time(request)
        historic = to_historic(obj)
        if change:
            ensure_baseline(obj, when)
        obj._history_date = when
        obj._change_reason = self.reason(request)
        super().save_model(request, obj, form, change)
        if historic is not None:
            for accessor in self.revert_related:
                for problem in restore_related(obj, accessor, historic.history_date, when):
                    self.message_user(request, problem, messages.WARNING)

    def save_formset(self, request, form, formset, change):
        when = self.save_time(request)
        instances = formset.save(commit=False)
        for row in [*formset.deleted_objects, *instances]:
            if row.pk is not None and hasattr(type(row), "history"):
                ensure_baseline(row, when)
            row._history_date = when
            row._change_reason = self.reason(request)
        for row in formset.deleted_objects:
            row.delete()
        for row in instances:
            row.save()
        formset.save_m2m()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        historic = to_historic(obj) if obj is not None else None
        if historic is None:
            return form
        # A revert form opens with the version's many-to-many values, not today's.
        snapshot = record_values(group_last(historic))
        initial = {f.name: list(snapshot[f.name]) for f in m2m_fields(self.model)}

        class RevertForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name, value in initial.items():
                    if name in self.fields:
                        self.initial[name] = value

        return RevertForm

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        record = history_model(self.model).objects.filter(history_id=version_id).first()
        obj = self.model._default_manager.filter(pk=object_id).first()
        if request.method == "POST" and self.needs_review(request, obj):
            raise PermissionDenied("Reverting published content is for reviewers.")
        restored = []
        if record is not None and obj is not None:
            for accessor in self.revert_related:
                related = self.model._meta.get_field(accessor).related_model
                then, _current = related_at(obj, accessor, record.history_date)
                many = {m2m.name for m2m in m2m_fields(related)}
                rows = [
                    related(pk=pk, **{k: v for k, v in values.items() if k not in many})
                    for pk, values in sorted(then.items())
                ]
                restored.append((related._meta.verbose_name_plural, [str(row) for row in rows]))
        context = {"revert_related": restored, **(extra_context or {})}
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, context)
