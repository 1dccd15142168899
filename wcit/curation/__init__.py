"""Curation that loses nothing: optimistic locking, revert with relations, what changed,
and review of changes to published content (``revisions``, the queue in ``review``).

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
  history record, posted back in a hidden field; so is each inline row's
  (``LockedInline``). A save from an older version of the object or of any of
  its rows is refused with what changed since, and the curator's typing is
  kept; what a form changed is measured against the version it was opened at,
  so that a save writes only the rows and fields its curator changed.
"""

from .admin import CuratedAdmin, LockedInline, LockedRowsMixin
from .changes import changes_view
from .history import ensure_baseline, mark_as_baseline
from .locking import OptimisticLockForm
from .review import review_view
from .revisions import is_reviewer
from .translated import TranslationAdmin, TranslationInlineModelAdmin
from .widgets import AutocompleteMixin

__all__ = [
    "AutocompleteMixin",
    "CuratedAdmin",
    "LockedInline",
    "LockedRowsMixin",
    "OptimisticLockForm",
    "TranslationAdmin",
    "TranslationInlineModelAdmin",
    "changes_view",
    "ensure_baseline",
    "is_reviewer",
    "mark_as_baseline",
    "review_view",
]
