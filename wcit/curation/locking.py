"""Optimistic locking: a form that refuses a save made from an older version of its object."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection

from ..models import BASELINE_REASON
from .history import (
    EMPTY,
    LOCK_FIELD,
    describe,
    describe_when,
    diff,
    form_values,
    group_last,
    is_baseline,
    label,
    latest_version,
    record_values,
    records_of,
    user_name,
)

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
