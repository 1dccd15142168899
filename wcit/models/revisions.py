"""Revisions: changes curators made to published content, waiting for a reviewer.

Public pages, the API and the exports never read them: the public sees the published
rows until a reviewer accepts a revision, which then writes them.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        """Revisions waiting for a reviewer, oldest first."""
        return self.filter(status=Revision.Status.PENDING).order_by("proposed_at", "id")

    def decided(self):
        """Accepted and sent back revisions, the latest decision first."""
        return self.exclude(status=Revision.Status.PENDING).order_by("-reviewed_at", "-id")

    def of(self, model, pk):
        """The revisions of the object of ``model`` whose primary key is ``pk``."""
        return self.filter(content_type=ContentType.objects.get_for_model(model), object_id=pk)


class Revision(models.Model):
    """A change a curator made to a published claim, dispute or speaker.

    It holds the change form as the curator posted it; accepting it replays that form
    through the admin's validation (and its locks: a record changed since is refused),
    then saves and publishes it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        SENT_BACK = "sent_back", _("Sent back")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text="The kind of record it changes."
    )
    object_id = models.PositiveBigIntegerField(help_text="The record it changes.")
    object_label = models.CharField(
        max_length=300, help_text="The record, as it was named when the change was proposed."
    )
    fields = models.JSONField(help_text="The names of the change form's fields.")
    data = models.JSONField(
        help_text="The change form and its rows as posted: {input name: [values]}."
    )
    changes = models.JSONField(
        default=list,
        help_text="What it changes, when proposed: [[what, published value, proposed value]].",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(
        blank=True, help_text="The reviewer's note: why it was sent back, what to change."
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "status"], name="revision_object_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "sent_back"]),
                name="revision_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(reviewed_at__isnull=False),
                name="revision_decided_when",
            ),
        ]

    def __str__(self):
        return f"Revision #{self.pk} of {self.object_label}"

    @property
    def model(self):
        return self.content_type.model_class()
