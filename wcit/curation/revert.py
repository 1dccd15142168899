"""Revert with relations: an object's related rows as of a version, and restoring them."""

from django.db import models
from simple_history.utils import get_m2m_reverse_field_name

from .history import history_model, m2m_fields, tracked_fields

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
