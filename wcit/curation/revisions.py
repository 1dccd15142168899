"""Review of changes to published content: a curator's save becomes a pending revision;
a reviewer accepts it (replayed through the admin's form, then saved and published) or
sends it back with a note."""

from django.contrib.contenttypes.models import ContentType
from django.forms.formsets import all_valid
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst

from ..models import Revision
from .history import (
    EMPTY,
    LOCK_FIELD,
    describe,
    describe_when,
    form_values,
    instance_values,
    label,
    user_name,
)

# Whoever holds it publishes: claims, and changes to published content.
REVIEWER_PERMISSION = "wcit.publish_claim"


def is_reviewer(user):
    """Whether ``user``'s changes to published content apply at once (reviewers, admins)."""
    return user.has_perm(REVIEWER_PERMISSION)


def proposed_changes(form, formsets):
    """[[what, published value, proposed value]] of what a valid change form and its
    inline formsets would change, as a curator reads them."""
    model = form._meta.model
    old = instance_values(model._default_manager.get(pk=form.instance.pk))
    new = form_values(form)
    changes = [
        [label(model, n), describe(model, n, old[n]), describe(model, n, value)]
        for n, value in new.items()
        if old.get(n) != value
    ]
    for formset in formsets:
        changes += row_changes(formset)
    return changes


def row_changes(formset):
    """The changes of one valid inline formset: rows changed, added and deleted."""
    model, parent = formset.model, formset.fk.name
    name = str(model._meta.verbose_name)
    pks = [form.instance.pk for form in formset.initial_forms if form.instance.pk]
    stored = model._default_manager.in_bulk(pks)
    changes = []
    for form in formset.forms:
        before = stored.get(form.instance.pk)
        if form in formset.deleted_forms:
            if before is not None:
                changes.append([f"{name.capitalize()} “{before}”", str(before), "Deleted"])
            continue
        if not form.has_changed():
            continue
        values = {n: v for n, v in form_values(form).items() if n != parent}
        if before is None:
            shown = [
                f"{label(model, n)}: {describe(model, n, v)}"
                for n, v in values.items()
                if v not in (None, "", set())
            ]
            changes.append([f"New {name}", EMPTY, "; ".join(shown)])
            continue
        old = instance_values(before)
        changes += [
            [
                f"{name.capitalize()} “{before}”: {label(model, n).lower()}",
                describe(model, n, old[n]),
                describe(model, n, v),
            ]
            for n, v in values.items()
            if old.get(n) != v
        ]
    return changes


def propose(request, form, formsets):
    """Record what a valid change form and its rows would change as a pending revision,
    instead of saving it; None when they change nothing."""
    changes = proposed_changes(form, formsets)
    if not changes:
        return None
    model = form._meta.model
    stored = model._default_manager.get(pk=form.instance.pk)
    posted = {
        key: request.POST.getlist(key)
        for key in request.POST
        if key != "csrfmiddlewaretoken" and not key.startswith("_")
    }
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=stored.pk,
        object_label=str(stored)[:300],
        fields=[name for name in form.fields if name != LOCK_FIELD],
        data=posted,
        changes=changes,
        proposed_by=request.user,
    )


def replay(model_admin, request, revision):
    """The admin's change form and inline formsets, as ``request``'s user gets them, bound
    to what ``revision``'s curator posted: (object, form, formsets); no object when the
    record is gone."""
    obj = model_admin.get_object(request, str(revision.object_id))
    if obj is None:
        return None, None, []
    data = QueryDict(mutable=True)
    for key, values in revision.data.items():
        data.setlist(key, values)
    form = model_admin.get_form(request, obj, change=True, fields=revision.fields)(
        data, instance=obj
    )
    formsets, prefixes = [], {}
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, obj):
        # The prefixes Django's change view gives them.
        prefix = formset_class.get_default_prefix()
        prefixes[prefix] = prefixes.get(prefix, 0) + 1
        if prefixes[prefix] != 1 or not prefix:
            prefix = f"{prefix}-{prefixes[prefix]}"
        # Only the rows the curator's form had (an administrator may see more inlines).
        if f"{prefix}-TOTAL_FORMS" in data:
            formsets.append(
                formset_class(
                    data=data, instance=obj, prefix=prefix, queryset=inline.get_queryset(request)
                )
            )
    return obj, form, formsets


def accept(model_admin, request, revision):
    """Apply ``revision`` as ``request``'s reviewer, through the admin's form and its locks.

    Returns the problems that stopped it; none when it was saved, published and the
    revision marked accepted. Call it in a transaction.
    """
    obj, form, formsets = replay(model_admin, request, revision)
    if obj is None:
        return [f"{revision.object_label} no longer exists."]
    form_valid = form.is_valid()
    if not (all_valid(formsets) and form_valid):
        return problems(revision, form, formsets)
    request.accepting = revision
    new_object = model_admin.save_form(request, form, change=True)
    model_admin.save_model(request, new_object, form, change=True)
    model_admin.save_related(request, form, formsets, change=True)
    message = model_admin.construct_change_message(request, form, formsets)
    model_admin.log_change(request, new_object, message)
    decide(revision, request.user, Revision.Status.ACCEPTED)
    return []


def send_back(revision, user, note):
    """Return ``revision`` to its curator with ``note``: the published version stays."""
    decide(revision, user, Revision.Status.SENT_BACK, note)


def decide(revision, user, status, note=""):
    revision.status = status
    revision.reviewed_by = user
    revision.reviewed_at = timezone.now()
    revision.note = note
    revision.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])


def change_reason(revision, reviewer):
    """What the history says of a change a reviewer accepted (at most 100 characters)."""
    return (
        f"Revision #{revision.pk}, proposed by {user_name(revision.proposed_by)}, "
        f"accepted by {user_name(reviewer)}"
    )[:100]


def problems(revision, form, formsets):
    """Why the replayed form of ``revision`` does not validate, for its reviewer."""
    rows = [row for formset in formsets for row in formset.forms]
    conflicts = [f.conflict for f in [form, *rows] if getattr(f, "conflict", None)]
    if conflicts:
        return [
            f"{capfirst(c.row or revision.object_label)} was changed by {c.who} "
            f"({describe_when(c.when)}) after this change was proposed: accepting it "
            "would undo that. Send it back, so that it can be proposed again from the "
            "current version."
            for c in conflicts
        ]
    found = []
    for each in [form, *rows]:
        for name, errors in each.errors.items():
            field = each.fields.get(name)
            prefix = f"{field.label}: " if field is not None and field.label else ""
            found += [f"{prefix}{error}" for error in errors]
    for formset in formsets:
        found += [str(error) for error in formset.non_form_errors()]
    return found or ["The change no longer validates."]
