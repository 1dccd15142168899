"""Curation that loses nothing: optimistic locking, revert with relations, what changed.

Generic over any model with ``HistoricalRecords`` (claims, relations, speakers,
and disputes when they come): ``CuratedAdmin`` is the ModelAdmin base.

Three conventions hold the history together:

- Every record written by one admin save (the object, each many-to-many
  change, each inline row) carries the same ``history_date``: a *save group*.
  The state of a version is its group's last record; the state of its
  related rows is theirs as of that date.
- Every object has a *baseline* to go back to and to show a conflict against:
  ``load_corpus`` marks the records a fixture load writes as baselines
  (``mark_as_baseline``), and before the first recorded change of an object
  with no history at all a baseline record of its stored state is written
  (``ensure_baseline``). Baselines are not listed as changes.
- The version a change form was opened at is the id of the object's latest
  history record, posted back in a hidden field; a save from an older version
  is refused with what changed since, and the curator's typing is kept.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import connection, models, router, transaction
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.utils import get_m2m_reverse_field_name

BASELINE_REASON = "State before the first recorded change"
LOCK_FIELD = "lock_version"
EMPTY = "—"


# History helpers -----------------------------------------------------------


def history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def records_of(model, pk):
    """The history records of one object, oldest first."""
    return (
        history_model(model)
        .objects.filter(**{model._meta.pk.attname: pk})
        .order_by("history_date", "history_id")
    )


def latest_version(model, pk):
    """The version token of an object: the id of its latest history record, or "0"."""
    last = records_of(model, pk).values_list("history_id", flat=True).last()
    return str(last or 0)


def group_last(record):
    """The last record of ``record``'s save group: the state that save left."""
    model = record.instance_type
    return (
        records_of(model, getattr(record, model._meta.pk.attname))
        .filter(history_date=record.history_date)
        .last()
    )


def ensure_baseline(obj, when):
    """Record the stored state of ``obj`` before its first recorded change, if it has none.

    Saving the unchanged stored row writes a history record of it, many-to-many
    included; its date is just before ``when`` so it forms a group of its own.
    """
    model = type(obj)
    if obj.pk is None or records_of(model, obj.pk).exists():
        return
    stored = model._default_manager.filter(pk=obj.pk).first()
    if stored is None:
        return
    stored._history_date = when - timedelta(microseconds=1)
    stored._change_reason = BASELINE_REASON
    stored.save()


def mark_as_baseline(models_list, since):
    """Make the history records written since ``since`` (a fixture load) baselines.

    Loading a claim's countries and clauses writes a history record for each
    (``loaddata`` saves rows raw, but many-to-many changes still signal): one
    record per object, on one date, stating the loaded state, is what
    curation should start from. Neither the changes page nor the feed lists
    baselines.
    """
    for model in models_list:
        history_model(model).objects.filter(history_date__gte=since).update(
            history_date=since, history_change_reason=BASELINE_REASON
        )


def m2m_fields(model):
    history = history_model(model)
    return list(getattr(history, "_history_m2m_fields", []))


def tracked_fields(model):
    """The fields a history record holds, besides the primary key."""
    history = history_model(model)
    names = {f.attname for f in history._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname in names]


def record_values(record, m2m_cache=None):
    """{field name: value} of a history record, many-to-many as sets of ids.

    ``m2m_cache`` is what ``m2m_values`` returned for a batch of records.
    """
    model = record.instance_type
    values = {f.name: getattr(record, f.attname) for f in tracked_fields(model)}
    for m2m in m2m_fields(model):
        if m2m_cache is not None:
            values[m2m.name] = m2m_cache.get((m2m.name, record.history_id), set())
            continue
        target = get_m2m_reverse_field_name(m2m)
        values[m2m.name] = set(getattr(record, m2m.name).values_list(f"{target}_id", flat=True))
    return values


def m2m_values(model, history_ids):
    """{(field name, history id): set of ids} for many records: one query per field."""
    cache = {}
    for m2m in m2m_fields(model):
        target = get_m2m_reverse_field_name(m2m)
        rows = getattr(history_model(model), m2m.name).model.objects.filter(
            history_id__in=history_ids
        )
        for history_id, value in rows.values_list("history_id", f"{target}_id"):
            cache.setdefault((m2m.name, history_id), set()).add(value)
    return cache


def form_values(form):
    """{field name: value} of what a valid-enough form holds, in the same shape."""
    model = form._meta.model
    values = {}
    for f in [*tracked_fields(model), *m2m_fields(model)]:
        if f.name not in form.cleaned_data:
            continue
        value = form.cleaned_data[f.name]
        if isinstance(f, models.ManyToManyField):
            value = {obj.pk for obj in value} if value is not None else set()
        elif isinstance(f, models.ForeignKey):
            value = value.pk if value is not None else None
        values[f.name] = value
    return values


def describe(model, name, value, known=None):
    """A value as a curator reads it: names, not ids; labels, not codes.

    ``known`` maps related primary keys to their names, for the field's
    related model, when the caller fetched them in bulk (``related_names``).
    """
    f = model._meta.get_field(name)
    if value in (None, "") or value == set():
        return EMPTY
    if isinstance(f, models.ManyToManyField | models.ForeignKey):
        ids = value if isinstance(value, set) else {value}
        if known is None:
            known = related_names(model, name, ids)
        shown = [known.get(pk, f"#{pk} (deleted)") for pk in ids]
        return ", ".join(sorted(shown)) if isinstance(value, set) else shown[0]
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(value, timezone.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def related_names(model, name, ids):
    """{pk: name} of the objects field ``name`` of ``model`` refers to, in one query."""
    related = model._meta.get_field(name).related_model
    return {pk: str(obj) for pk, obj in related._default_manager.in_bulk(ids).items()}


def label(model, name):
    return str(model._meta.get_field(name).verbose_name).capitalize()


def diff(model, old, new):
    """[(name, old, new)] of the fields that differ between two value dicts."""
    names = [f.name for f in [*tracked_fields(model), *m2m_fields(model)]]
    return [(n, old.get(n), new.get(n)) for n in names if n in old and old.get(n) != new.get(n)]


# Optimistic locking ---------------------------------------------------------


@dataclass
class Conflict:
    """What others saved since a change form was opened."""

    who: str
    when: object
    rows: list = field(default_factory=list)  # (label, when you opened it, saved since, yours)
    isolated: bool = True  # False: no record of the opened version, compared with yours


class OptimisticLockForm(forms.ModelForm):
    """A change form that refuses a save made from an outdated version of its object."""

    lock_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk is not None:
            self.fields[LOCK_FIELD].initial = latest_version(type(self.instance), self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        if connection.in_atomic_block:
            # Another save of the same object waits here until this one commits.
            list(model._default_manager.select_for_update().filter(pk=self.instance.pk))
        seen = self.data.get(self.add_prefix(LOCK_FIELD), "")
        current = latest_version(model, self.instance.pk)
        if seen == current:
            return cleaned
        self.conflict = self._conflict(model, seen)
        # Saving again after reading the differences is a deliberate overwrite.
        self.data = self.data.copy()
        self.data[self.add_prefix(LOCK_FIELD)] = current
        raise ValidationError(
            f"{self.conflict.who} saved this {model._meta.verbose_name} "
            f"({describe_when(self.conflict.when)}) after you opened it. Nothing was saved; "
            "what you typed is kept below. Compare it with their changes, listed above, and "
            "save again to keep yours."
        )

    def _conflict(self, model, seen):
        records = records_of(model, self.instance.pk)
        newer = records.filter(history_id__gt=int(seen)) if seen.isdigit() else records
        newer = [r for r in newer.select_related("history_user") if not is_baseline(r)]
        latest = records.last()
        who = ", ".join(dict.fromkeys(user_name(r.history_user) for r in newer)) or "Someone"
        when = latest.history_date if latest else None
        opened = records.filter(history_id=int(seen)).first() if seen.isdigit() else None
        if opened is None and seen in ("", "0"):
            opened = records.filter(history_change_reason=BASELINE_REASON).first()
        yours = form_values(self)
        saved = record_values(group_last(latest)) if latest else {}
        if opened is not None:
            changed = diff(model, record_values(group_last(opened)), saved)
            rows = [
                (
                    label(model, n),
                    describe(model, n, old),
                    describe(model, n, new),
                    describe(model, n, yours[n]) if n in yours else EMPTY,
                )
                for n, old, new in changed
            ]
            return Conflict(who, when, rows, isolated=True)
        rows = [
            (label(model, n), EMPTY, describe(model, n, new), describe(model, n, mine))
            for n, new, mine in diff(model, saved, yours)
        ]
        return Conflict(who, when, rows, isolated=False)


def describe_when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "just now"


def user_name(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def is_baseline(record):
    return record.history_change_reason == BASELINE_REASON


# Revert ----------------------------------------------------------------------


def related_at(obj, accessor, cutoff):
    """The rows of reverse relation ``accessor`` of ``obj`` as they were at ``cutoff``.

    Returns ({pk: values}, {pk: current row}). Values are the rows' fields by
    attname and, under each many-to-many field's name, its set of ids (a
    dispute's positions keep their claims). A current row with no history at
    all predates the history and counts as it is.
    """
    rel = obj._meta.get_field(accessor)
    related, fk = rel.related_model, rel.field
    fields = tracked_fields(related)
    by_pk = {}
    records = history_model(related).objects.filter(**{fk.attname: obj.pk})
    for record in records.order_by("history_date", "history_id"):
        by_pk.setdefault(getattr(record, related._meta.pk.attname), []).append(record)
    current = {row.pk: row for row in getattr(obj, accessor).all()}

    def state(history):
        before = [r for r in history if r.history_date <= cutoff]
        if before:
            return None if before[-1].history_type == "-" else before[-1]
        # Only later records: the row existed at cutoff unless a later record created it.
        return history[0] if history[0].history_type != "+" else None

    many = m2m_fields(related)

    def ids(holder, m2m, through_history):
        if through_history:
            target = get_m2m_reverse_field_name(m2m)
            return set(getattr(holder, m2m.name).values_list(f"{target}_id", flat=True))
        return set(getattr(holder, m2m.name).values_list("pk", flat=True))

    then = {}
    for pk, history in by_pk.items():
        record = state(history)
        if record is not None:
            then[pk] = {f.attname: getattr(record, f.attname) for f in fields}
            then[pk].update({m2m.name: ids(record, m2m, True) for m2m in many})
    for pk, row in current.items():
        if pk not in by_pk:
            then[pk] = {f.attname: getattr(row, f.attname) for f in fields}
            then[pk].update({m2m.name: ids(row, m2m, False) for m2m in many})
    return then, current


def restore_related(obj, accessor, cutoff, when):
    """Make the rows of reverse relation ``accessor`` of ``obj`` what they were at ``cutoff``.

    Rows created after ``cutoff`` are deleted, changed rows get their values
    back, deleted rows are recreated. Returns messages about rows that could
    not be restored (their other end is gone).
    """
    related = obj._meta.get_field(accessor).related_model
    then, current = related_at(obj, accessor, cutoff)
    for pk, row in current.items():
        if pk not in then:
            row._history_date = when
            row.delete()
    many = {m2m.name for m2m in m2m_fields(related)}
    problems = []
    for pk, everything in then.items():
        values = {k: v for k, v in everything.items() if k not in many}
        links = {k: v for k, v in everything.items() if k in many}
        row = current.get(pk)
        same_links = row is not None and all(
            set(getattr(row, name).values_list("pk", flat=True)) == wanted
            for name, wanted in links.items()
        )
        if row is not None and same_links and all(getattr(row, k) == v for k, v in values.items()):
            continue
        missing = [
            f.verbose_name
            for f in tracked_fields(related)
            if isinstance(f, models.ForeignKey)
            and values[f.attname] is not None
            and not f.related_model._default_manager.filter(pk=values[f.attname]).exists()
        ]
        if missing:
            problems.append(
                f"{related._meta.verbose_name} #{pk} not restored: its "
                f"{', '.join(map(str, missing))} no longer exists."
            )
            continue
        restored = related(pk=pk, **values)
        restored._history_date = when
        restored.save()
        for name, wanted in links.items():
            getattr(restored, name).set(wanted)
    return problems


# The admin --------------------------------------------------------------------


class CuratedAdmin(SimpleHistoryAdmin):
    """History in save groups, optimistic locking, and a revert that restores relations.

    ``revert_related`` names reverse relations (e.g. ``["relations_out"]``,
    ``["positions"]``) whose rows a revert restores with the object; their
    model must have ``HistoricalRecords`` too.
    """

    form = OptimisticLockForm
    revert_related = []
    change_form_template = "admin/wcit/curated_change_form.html"
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


# What changed ------------------------------------------------------------------


@dataclass
class Change:
    model: type
    object_id: object
    obj_label: str
    who: str
    when: object
    kind: str  # added, changed, deleted
    rows: list  # (label, old, new)
    url: str = ""

    @property
    def model_name(self):
        return self.model._meta.verbose_name


def recent_changes(model_list, limit=100):
    """The latest save groups of ``model_list``, newest first, each with its diff and who.

    A fixed number of queries per model (plus one per distinct related value
    shown), whatever the number of changes listed.
    """
    latest = []
    for model in model_list:
        keys = (
            history_model(model)
            .objects.exclude(history_change_reason=BASELINE_REASON)
            .order_by("-history_date", "-history_id")
            .values_list(model._meta.pk.attname, "history_date")[: limit * 4]
        )
        latest += [(when, model, pk) for pk, when in dict.fromkeys(keys)]
    latest.sort(key=lambda item: item[0], reverse=True)
    chosen = latest[:limit]
    changes = []
    for model in model_list:
        wanted = [(when, pk) for when, m, pk in chosen if m is model]
        if not wanted:
            continue
        pk_name = model._meta.pk.attname
        records = (
            history_model(model)
            .objects.filter(**{f"{pk_name}__in": {pk for _when, pk in wanted}})
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        groups = {}  # pk -> {date: [records]}, oldest first
        for record in records:
            by_date = groups.setdefault(getattr(record, pk_name), {})
            by_date.setdefault(record.history_date, []).append(record)
        pairs = []
        for when, pk in wanted:
            dates = list(groups[pk])
            rows = groups[pk][when]
            index = dates.index(when)
            previous = groups[pk][dates[index - 1]][-1] if index else None
            pairs.append((when, pk, rows, previous))
        ids = [r.history_id for _w, _p, rows, prev in pairs for r in (rows[-1], prev) if r]
        cache = m2m_values(model, ids)
        found = []
        for when, pk, rows, previous in pairs:
            last, first = rows[-1], rows[0]
            new = record_values(last, cache)
            if last.history_type == "-":
                kind, changed = "deleted", []
            elif previous is None and first.history_type == "+":
                kind = "added"
                changed = [(n, None, v) for n, v in new.items() if v not in (None, "", set())]
            elif previous is None:
                kind, changed = "changed", []
            else:
                kind, changed = "changed", diff(model, record_values(previous, cache), new)
            found.append((when, pk, last, kind, changed))
        # The names of every related object shown, one query per field.
        ids = {}
        for *_rest, changed in found:
            for n, a, b in changed:
                if model._meta.get_field(n).is_relation:
                    for value in (a, b):
                        ids.setdefault(n, set()).update(
                            value if isinstance(value, set) else {value} - {None}
                        )
        known = {n: related_names(model, n, values) for n, values in ids.items()}
        for when, pk, last, kind, changed in found:
            changes.append(
                Change(
                    model=model,
                    object_id=pk,
                    obj_label=str(last.history_object),
                    who=user_name(last.history_user),
                    when=when,
                    kind=kind,
                    rows=[
                        (
                            label(model, n),
                            describe(model, n, a, known.get(n)),
                            describe(model, n, b, known.get(n)),
                        )
                        for n, a, b in changed
                    ],
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


def admin_change_url(change):
    opts = change.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[change.object_id])
    except NoReverseMatch:
        return ""


def tracked_models():
    """The models whose changes the admin's "What changed" page lists."""
    return [
        model
        for model in admin.site._registry
        if isinstance(admin.site._registry[model], CuratedAdmin)
    ]


def changes_view(request):
    """The admin page listing recent changes, with their diffs and who made them."""
    allowed = [
        model
        for model in tracked_models()
        if request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    changes = recent_changes(allowed)
    for change in changes:
        change.url = admin_change_url(change)
    context = {
        **admin.site.each_context(request),
        "title": "What changed",
        "subtitle": None,
        "changes": changes,
        "models": [model._meta.verbose_name_plural for model in allowed],
    }
    return TemplateResponse(request, "admin/wcit/changes.html", context)
