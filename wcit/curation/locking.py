"""Optimistic locking: a form that refuses a save made from an older version of its object."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection

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
    opened_record,
    record_values,
    records_of,
    user_name,
)

# Optimistic locking ---------------------------------------------------------

# What the conflict table says of a field the curator left as it was.
KEPT = "(not changed by you: theirs is kept)"


@dataclass
class Conflict:
    """What others saved since a change form (or one of its rows) was opened."""

    who: str
    when: object
    rows: list = field(default_factory=list)  # (label, when you opened it, saved since, yours)
    isolated: bool = True  # False: no record of the opened version, compared with yours
    row: str = ""  # for an inline row, which one: "relation to another claim “#2 supports #9”"


class OptimisticLockForm(forms.ModelForm):
    """A change form, or an inline row, that refuses a save made from an outdated version.

    The version is the id of the object's latest history record when the form was
    opened, posted back in ``lock_version``. A bound form measures what the curator
    changed against that version, not against today's row, so that a row someone else
    saved since is not written back with the values this form showed (Django's
    ``has_changed()`` compares the posted values with the form's initial ones).
    """

    lock_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk is None:
            return
        self.fields[LOCK_FIELD].initial = latest_version(type(self.instance), self.instance.pk)
        if self.is_bound:
            opened = opened_record(type(self.instance), self.instance.pk, self._seen())
            if opened is not None:
                # A source's claim rows hold no countries nor clauses: no query for them.
                values = record_values(group_last(opened), only=self.fields)
                self.initial.update(
                    {
                        name: sorted(value) if isinstance(value, set) else value
                        for name, value in values.items()
                        if name in self.fields
                    }
                )

    def _seen(self):
        return self.data.get(self.add_prefix(LOCK_FIELD), "")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        if connection.in_atomic_block:
            # Another save of the same object waits here until this one commits.
            list(model._default_manager.select_for_update().filter(pk=self.instance.pk))
        seen = self._seen()
        current = latest_version(model, self.instance.pk)
        if seen == current:
            return cleaned
        self.conflict = self._conflict(model, seen)
        # Saving again after reading the differences is a deliberate overwrite of the
        # fields the curator changed; the others now hold what was saved since.
        self.data = self.data.copy()
        self.data[self.add_prefix(LOCK_FIELD)] = current
        for name, value in self._theirs.items():
            self._post(name, value)
        what = f"this {model._meta.verbose_name}"
        if self.conflict.row:
            what = f"the {self.conflict.row}"
        raise ValidationError(
            f"{self.conflict.who} saved {what} ({describe_when(self.conflict.when)}) after "
            "you opened it. Nothing was saved; what you typed is kept. Compare it with their "
            "changes, listed at the top, and save again to keep yours."
        )

    def _post(self, name, value):
        """Put ``value`` (as ``record_values`` holds it) in the posted data of field ``name``."""
        key = self.add_prefix(name)
        if isinstance(value, set):
            self.data.setlist(key, [str(pk) for pk in sorted(value)])
        elif value is False:
            self.data.pop(key, None)  # an unticked checkbox posts nothing
        elif value is True:
            self.data[key] = "on"
        else:
            self.data[key] = "" if value is None else str(value)

    def _conflict(self, model, seen):
        records = records_of(model, self.instance.pk)
        newer = records.filter(history_id__gt=int(seen)) if seen.isdigit() else records
        newer = [r for r in newer.select_related("history_user") if not is_baseline(r)]
        latest = records.last()
        who = ", ".join(dict.fromkeys(user_name(r.history_user) for r in newer)) or "Someone"
        when = latest.history_date if latest else None
        opened = opened_record(model, self.instance.pk, seen)
        yours = form_values(self)
        saved = record_values(group_last(latest)) if latest else {}
        self._theirs = {}
        # An inline row's form has a prefix ("relations_out-0"); the object's own has none.
        row = f"{model._meta.verbose_name} “{self.instance}”" if self.prefix else ""
        if opened is not None:
            then = record_values(group_last(opened))
            rows = []
            for n, old, new in diff(model, then, saved):
                if n in yours and yours[n] == old and n in self.fields:
                    self._theirs[n] = new
                    mine = KEPT
                else:
                    mine = describe(model, n, yours[n]) if n in yours else EMPTY
                rows.append(
                    (label(model, n), describe(model, n, old), describe(model, n, new), mine)
                )
            return Conflict(who, when, rows, isolated=True, row=row)
        rows = [
            (label(model, n), EMPTY, describe(model, n, new), describe(model, n, mine))
            for n, new, mine in diff(model, saved, yours)
        ]
        return Conflict(who, when, rows, isolated=False, row=row)
