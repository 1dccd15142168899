"""What changed: the latest changes to curated records, each with who and a before/after."""

from dataclasses import dataclass

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from ..models import BASELINE_REASON
from ..models.history import m2m_values
from .admin import CuratedAdmin
from .history import (
    describe,
    diff,
    history_model,
    label,
    record_values,
    related_names,
    user_name,
)

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
