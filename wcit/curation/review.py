"""The review queue: changes to published content waiting for a reviewer, with their diffs."""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from ..models import Revision
from .admin import CuratedAdmin
from .revisions import accept, is_reviewer, send_back

# How many decided revisions the queue lists under the pending ones.
DECIDED_SHOWN = 20


def reviewed_models():
    """The models whose published records a curator's change does not touch until reviewed."""
    return [
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, CuratedAdmin) and model_admin.reviewed
    ]


def review_view(request):
    """The review queue; a reviewer's POST accepts a revision or sends it back."""
    allowed = [
        model
        for model in reviewed_models()
        if request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    if not allowed:
        raise PermissionDenied
    if request.method == "POST":
        return decide(request)
    kinds = ContentType.objects.get_for_models(*allowed).values()
    revisions = Revision.objects.filter(content_type__in=kinds).select_related(
        "content_type", "proposed_by", "reviewed_by"
    )
    pending = list(revisions.pending())
    decided = list(revisions.decided()[:DECIDED_SHOWN])
    for revision in [*pending, *decided]:
        opts = revision.model._meta
        revision.kind = opts.verbose_name
        try:
            revision.url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[revision.object_id]
            )
        except NoReverseMatch:
            revision.url = ""
    context = {
        **admin.site.each_context(request),
        "title": "Review queue",
        "subtitle": None,
        "pending": pending,
        "decided": decided,
        "can_review": is_reviewer(request.user),
    }
    return TemplateResponse(request, "admin/wcit/review.html", context)


def decide(request):
    """Accept a pending revision (it is applied and published) or send it back with a note."""
    if not is_reviewer(request.user):
        raise PermissionDenied
    pk, action = request.POST.get("revision", ""), request.POST.get("action")
    if not pk.isdigit() or action not in ("accept", "send_back"):
        return HttpResponseBadRequest("Say which revision, and accept or send it back.")
    back = HttpResponseRedirect(f"{reverse('admin-review')}#revision-{pk}")
    with transaction.atomic():
        # Two reviewers deciding at once: the second waits, then finds it decided.
        revision = (
            Revision.objects.select_for_update()
            .filter(pk=pk, status=Revision.Status.PENDING)
            .first()
        )
        if revision is None:
            messages.warning(request, f"Revision #{pk} is no longer waiting for review.")
            return back
        model_admin = admin.site._registry[revision.model]
        # Deciding is changing the record: a reviewer who may not change it may not decide.
        if not model_admin.has_change_permission(request):
            raise PermissionDenied
        if action == "send_back":
            note = request.POST.get("note", "").strip()
            if not note:
                messages.error(request, "Say why it goes back: its curator reads the note.")
                return back
            send_back(revision, request.user, note)
            messages.success(
                request, f"Sent back to its curator: “{revision.object_label}” is unchanged."
            )
            return back
        problems = accept(model_admin, request, revision)
    if problems:
        messages.error(request, f"Not accepted: {' '.join(problems)}")
    else:
        messages.success(request, f"Accepted and published: “{revision.object_label}”.")
    return back
