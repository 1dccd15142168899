"""When a claim was published, and what readers saw corrected since: read from its history.

Its publication date is ``published_at``, set when a reviewer publishes it; for a claim
created published (an import, a script) the date of the history record that created it.
The claims loaded from the fixtures have neither (who published what is curation
bookkeeping, not exported: ``wcit.corpus.NOT_EXPORTED``): theirs is the date the corpus was
loaded, that of the load's baselines (``load_corpus``), when they were published here. A
fresh install's claims were all published by its load, and no claim was published before.

A correction is a later save of the published claim that changed a field readers see
(``READER_FIELDS`` of the model): one save group (one ``history_date``) compared with the
one before it. Changes to the status or to who published it are not corrections, and
what changed before its latest publication is not news: the claim was published anew.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .base import BASELINE_REASON
from .choices import PublicationStatus
from .history import history_model, m2m_values


@dataclass(frozen=True)
class Correction:
    """A save of a published record that changed what readers see."""

    date: datetime
    # The names of the fields it changed, in the model's order; empty where the state
    # before it was never recorded (a save outside the admin of a record with no history).
    fields: tuple


# The order of ``latest_published``, in SQL; ``publication_order`` is the same in Python.
PUBLICATION_ORDER = [
    models.F("published_on").desc(nulls_last=True),
    models.F("source__published").desc(nulls_last=True),
    "-pk",
]


class PublicationQuerySetMixin:
    """Publication dates and corrections, for the QuerySet of a model with a publication
    ``status``, a ``published_at``, a ``source``, a history and ``READER_FIELDS`` (Claim)."""

    def latest_published(self, limit):
        """The ``limit`` latest of these by publication (see the module), as a list: the
        latest first, then by the date of their source (undated last), then the latest
        added first; each with ``published_on`` and ``corrections``, its ``Correction``s
        since it was last published, oldest first.

        A fixed number of queries however many claims, none computing a date per claim of
        the selection: the claims with a date of their own (few: those published since the
        load), the latest of the rest (all published at the load), their history and the
        many-to-many fields of that history.
        """
        claims = self.select_related("source")  # their source's date orders them
        records = history_model(self.model).objects
        created = records.filter(history_type="+", status=PublicationStatus.PUBLISHED)
        own = Q(published_at__isnull=False) | Q(pk__in=created.values("id"))
        first_created = created.filter(id=OuterRef("pk")).order_by("history_date")
        loaded = records.filter(history_change_reason=BASELINE_REASON).order_by("history_date")
        dated = claims.filter(own).annotate(
            published_on=Coalesce(
                "published_at", Subquery(first_created.values("history_date")[:1])
            )
        )
        at_load = claims.exclude(own).annotate(
            published_on=Subquery(loaded.values("history_date")[:1])
        )
        found = [
            *dated.order_by(*PUBLICATION_ORDER)[:limit],
            *at_load.order_by(*PUBLICATION_ORDER[1:])[:limit],
        ]
        found.sort(key=publication_order, reverse=True)
        return with_corrections(found[:limit])


def publication_order(obj):
    """``PUBLICATION_ORDER`` in Python, to sort ascending then reverse (None lowest)."""
    published = obj.source.published
    return (
        (obj.published_on is not None, obj.published_on),
        (published is not None, published),
        obj.pk,
    )


def with_corrections(found):
    """Give each of ``found`` (a list of one model's records) its ``corrections``; return
    them. Two queries: their history, the many-to-many fields of that history."""
    if not found:
        return found
    model = type(found[0])
    fields = {name: model._meta.get_field(name) for name in model.READER_FIELDS}
    columns = [f.attname for f in fields.values() if not f.many_to_many]
    records = list(
        history_model(model)
        .objects.filter(id__in=[obj.pk for obj in found])
        .order_by("history_date", "history_id")
        .values(
            "id",
            "history_id",
            "history_date",
            "history_type",
            "history_change_reason",
            "status",
            *columns,
        )
    )
    m2m = m2m_values(model, [record["history_id"] for record in records])
    groups = {}  # {pk: {date: [first record, state after the group]}}, oldest first
    for record in records:
        state = {
            name: (
                m2m.get((name, record["history_id"]), set())
                if field.many_to_many
                else record[field.attname]
            )
            for name, field in fields.items()
        }
        group = groups.setdefault(record["id"], {}).setdefault(
            record["history_date"], [record, None]
        )
        group[1] = {**state, "status": record["status"]}
    for obj in found:
        obj.corrections = corrections(groups.get(obj.pk, {}), list(fields))
    return found


def corrections(groups, fields):
    """The corrections in ``groups`` ({date: [its first record, the state it left]}, oldest
    first) since the latest publication they show."""
    found, before = [], None
    for date, (first, state) in groups.items():
        published = state["status"] == PublicationStatus.PUBLISHED
        if before is None:
            # Where the history starts: a creation or a baseline changed nothing; a change
            # with nothing recorded before it changed what it was, unknown.
            unrecorded = first["history_type"] == "~" and (
                first["history_change_reason"] != BASELINE_REASON
            )
            if published and unrecorded:
                found.append(Correction(date, ()))
        elif published and before["status"] == PublicationStatus.PUBLISHED:
            changed = tuple(name for name in fields if state[name] != before[name])
            if changed:
                found.append(Correction(date, changed))
        elif published:
            found = []
        before = state
    return found
