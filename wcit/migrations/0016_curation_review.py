"""Curation under review (issue 21).

- Claim events get a history, so that a revert of their claim restores them.
- A Revision holds a curator's change to published content until a reviewer
  accepts it or sends it back.
- Reviewers get every permission curators have (0009 says they may do whatever
  curators may, but 0006 gave curators disputes and positions after 0009's list
  was written: reviewers got 403 on disputes).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def reviewers_may_do_what_curators_may(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    curator = Group.objects.filter(name="curator").first()
    reviewer = Group.objects.filter(name="reviewer").first()
    if curator is not None and reviewer is not None:
        reviewer.permissions.add(*curator.permissions.all())


class Migration(migrations.Migration):
    dependencies = [
        ("wcit", "0015_data_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalClaimEvent",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "happened",
                    models.DateField(
                        help_text="The date the source states. For a month or a year, its first day, with the precision saying so."
                    ),
                ),
                (
                    "precision",
                    models.CharField(
                        choices=[("day", "Day"), ("month", "Month"), ("year", "Year")],
                        default="day",
                        max_length=10,
                    ),
                ),
                (
                    "what",
                    models.CharField(help_text="The event, in a few plain words.", max_length=200),
                ),
                (
                    "occasion",
                    models.SlugField(
                        blank=True,
                        help_text="A key shared by the events of different claims that are the same happening (e.g. “conference-breaks-down”), so that differing dates are shown side by side.",
                        max_length=60,
                    ),
                ),
                (
                    "evidence",
                    models.CharField(
                        help_text="The exact words of the source that state the date: they must occur in it.",
                        max_length=300,
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="How the date was read, where the words are relative (“today” in a report dated 13 December 2012).",
                        max_length=300,
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wcit.claim",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical claim event",
                "verbose_name_plural": "historical claim events",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Revision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField(help_text="The record it changes.")),
                (
                    "object_label",
                    models.CharField(
                        help_text="The record, as it was named when the change was proposed.",
                        max_length=300,
                    ),
                ),
                ("fields", models.JSONField(help_text="The names of the change form's fields.")),
                (
                    "data",
                    models.JSONField(
                        help_text="The change form and its rows as posted: {input name: [values]}."
                    ),
                ),
                (
                    "changes",
                    models.JSONField(
                        default=list,
                        help_text="What it changes, when proposed: [[what, published value, proposed value]].",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for review"),
                            ("accepted", "Accepted"),
                            ("sent_back", "Sent back"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("proposed_at", models.DateTimeField(auto_now_add=True)),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        help_text="The reviewer's note: why it was sent back, what to change.",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        help_text="The kind of record it changes.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-proposed_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id", "status"], name="revision_object_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "accepted", "sent_back"])),
                        name="revision_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "pending"), ("reviewed_at__isnull", False), _connector="OR"
                        ),
                        name="revision_decided_when",
                    ),
                ],
            },
        ),
        migrations.RunPython(reviewers_may_do_what_curators_may, migrations.RunPython.noop),
    ]
