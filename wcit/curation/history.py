"""Reading the history ``simple_history`` keeps: records, save groups, baselines, values."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.utils import get_m2m_reverse_field_name

from ..models import BASELINE_REASON

# The readers of what a record holds are the models', shared with the public feeds.
from ..models.history import history_model, m2m_fields, tracked_fields

LOCK_FIELD = "lock_version"
EMPTY = "—"


# History helpers -----------------------------------------------------------


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


def opened_record(model, pk, seen):
    """The history record of version ``seen`` (a lock token) of an object, if there is one.

    "0" (or nothing) is the version of an object that had no history when its form was
    opened: its baseline, once a later save has written one.
    """
    records = records_of(model, pk)
    if seen.isdigit() and int(seen):
        return records.filter(history_id=int(seen)).first()
    return records.filter(history_change_reason=BASELINE_REASON).first()


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


def record_values(record, m2m_cache=None, only=None):
    """{field name: value} of a history record, many-to-many as sets of ids.

    ``m2m_cache`` is what ``m2m_values`` returned for a batch of records; ``only``
    (names) leaves out the many-to-many fields not in it, a query each.
    """
    model = record.instance_type
    values = {f.name: getattr(record, f.attname) for f in tracked_fields(model)}
    for m2m in m2m_fields(model):
        if only is not None and m2m.name not in only:
            continue
        if m2m_cache is not None:
            values[m2m.name] = m2m_cache.get((m2m.name, record.history_id), set())
            continue
        target = get_m2m_reverse_field_name(m2m)
        values[m2m.name] = set(getattr(record, m2m.name).values_list(f"{target}_id", flat=True))
    return values


def instance_values(obj):
    """{field name: value} of a stored object, in the shape of ``record_values``."""
    model = type(obj)
    values = {f.name: getattr(obj, f.attname) for f in tracked_fields(model)}
    for m2m in m2m_fields(model):
        values[m2m.name] = set(getattr(obj, m2m.name).values_list("pk", flat=True))
    return values


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


def describe_when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "just now"


def user_name(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def is_baseline(record):
    return record.history_change_reason == BASELINE_REASON
