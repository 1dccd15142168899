"""What a history record of ``simple_history`` holds: the readers the public pages and the
curation share (the curation's own helpers, for conflicts and revert, are in
``wcit.curation.history``)."""

from simple_history.utils import get_m2m_reverse_field_name


def history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def m2m_fields(model):
    history = history_model(model)
    return list(getattr(history, "_history_m2m_fields", []))


def tracked_fields(model):
    """The fields a history record holds, besides the primary key."""
    history = history_model(model)
    names = {f.attname for f in history._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname in names]


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
