"""``CuratedAdmin``: the ModelAdmin base that brings locking, revert and history together."""

from django.contrib import messages
from django.db import router, transaction
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

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
    """

    form = OptimisticLockForm
    revert_related = []
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
        when = self.save_time(request)
        historic = to_historic(obj)
        if change:
            ensure_baseline(obj, when)
        obj._history_date = when
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
