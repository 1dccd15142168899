"""When the curated data last changed: one row, kept with the data it versions.

``wcit.cache`` keys its pages on this version and keeps a short-lived copy of it in the
shared cache; the row here is the truth the copy is corrected from, so a change saved while
the cache was away still reaches the pages.
"""

import time

from django.db import models, transaction
from django.db.models import Q

SECOND = 1_000_000  # the version counts microseconds


class DataVersionQuerySet(models.QuerySet):
    def current(self):
        """The version; the first time it is asked for (an empty table), made now."""
        version = self.values_list("version", flat=True).first()
        return version if version is not None else self.bump()

    def bump(self):
        """A new version, in a later second than the last whatever the clock says, so that
        Last-Modified (whole seconds) changes with every version. Written without a save
        (no signal): writing the version is not a change of the data."""
        with transaction.atomic(using=self.db):
            self.bulk_create([self.model(pk=1, version=0)], ignore_conflicts=True)
            last = self.select_for_update().values_list("version", flat=True).get(pk=1)
            version = max(time.time_ns() // 1000, (last // SECOND + 1) * SECOND)
            self.filter(pk=1).update(version=version)
        return version


class DataVersion(models.Model):
    """The data version: microseconds since the epoch when the curated data last changed."""

    version = models.BigIntegerField(
        help_text="Microseconds since the epoch when the curated data last changed. Set by "
        "the site on every save; pages cached under an older version are no longer served."
    )

    objects = DataVersionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="dataversion_one_row")]

    def __str__(self):
        return f"Data version {self.version}"
