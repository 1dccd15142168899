"""Each claim's stored answer count, and keeping it right.

``Claim.answer_count`` is how many published claims rebut or support a claim: the sum of
``with_answer_counts()``, stored so that the default order of the claim lists ("most
answered first") is an index walk with a LIMIT rather than two counts and a sort over every
claim of the selection. It is derived data, never curated: after any write that can change
it, the receivers here recount the claims it touches in one UPDATE.

What can change a claim's count: a relation to it saved (its kind, its ``to_claim``, both
old and new) or deleted (with a claim it belongs to, by cascade); the status of a claim
answering it; a save of the claim itself, which writes the count its instance held. Writes
that send no signals, or raw ones, recount for themselves: ``load_corpus`` (``loaddata``
saves raw, in whatever order the files give) recounts every claim at the end,
``generate_claims`` the claims its copies answer.

On PostgreSQL each recount first locks the claims it counts and those answering them, in id
order, and counts in a statement of its own, so that it reads what a concurrent transaction
committed meanwhile: without the lock, two answers saved at once to one claim would each be
counted without the other, and a claim unpublished while it was being linked would still
count.
"""

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save

from .choices import PublicationStatus

# The relation kinds that answer a claim.
ANSWER_KINDS = ["rebuts", "supports"]


class AnswerCountQuerySetMixin:
    """The stored answer counts, for the QuerySet of Claim (relations in ``relations_in``)."""

    def recount_answers(self):
        """Store in ``answer_count`` of each of these claims how many published claims rebut
        or support it, in one UPDATE; return how many claims it wrote."""
        relations = self.model._meta.get_field("relations_in").related_model
        answering = (
            relations.objects.filter(
                to_claim=OuterRef("pk"),
                kind__in=ANSWER_KINDS,
                from_claim__status=PublicationStatus.PUBLISHED,
            )
            .order_by()
            .values("to_claim")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.update(answer_count=Coalesce(Subquery(answering), 0))

    def lock_for_recount(self):
        """Lock these claims and the claims answering them, in id order, until the end of
        the transaction (PostgreSQL; SQLite writes one transaction at a time anyway)."""
        relations = self.model._meta.get_field("relations_in").related_model
        answering = relations.objects.filter(to_claim__in=self.values("pk")).values("from_claim")
        everything = self.model._base_manager.db_manager(self.db).filter(
            Q(pk__in=self.values("pk")) | Q(pk__in=answering)
        )
        # NO KEY: a relation being saved to one of them (a foreign key's KEY SHARE) need
        # not wait; a change of status, or another recount, does.
        locked = everything.order_by("pk").select_for_update(no_key=True)
        list(locked.values_list("pk", flat=True))


def recount(model, ids, using):
    """Lock, then recount, the claims ``ids`` of ``model`` (Claim) on database ``using``."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    with transaction.atomic(using=using):
        claims = model._default_manager.using(using).filter(pk__in=ids)
        claims.lock_for_recount()
        claims.recount_answers()


def _claim_model(relation_model):
    return relation_model._meta.get_field("to_claim").related_model


def _relation_before_save(sender, instance, raw, using, **kwargs):
    """Remember the claim a relation answered before this save: a save that moves it to
    another claim changes the count of both."""
    instance._answered_before = None
    if not raw and instance.pk is not None:
        stored = sender._base_manager.using(using).filter(pk=instance.pk)
        instance._answered_before = stored.values_list("to_claim", flat=True).first()


def _relation_saved(sender, instance, raw, using, **kwargs):
    if raw:
        return  # loaddata: load_corpus recounts everything at the end
    answered = {instance.to_claim_id, getattr(instance, "_answered_before", None)}
    recount(_claim_model(sender), answered, using)


def _relation_deleted(sender, instance, using, **kwargs):
    recount(_claim_model(sender), {instance.to_claim_id}, using)


def _claim_saved(sender, instance, raw, using, **kwargs):
    """A claim's status decides whether it counts for the claims it answers; and its save
    wrote the count its instance held, which may be older than the stored one."""
    if raw:
        return
    relations = sender._meta.get_field("relations_out").related_model
    answered = relations._base_manager.using(using).filter(from_claim=instance)
    recount(sender, {instance.pk, *answered.values_list("to_claim", flat=True)}, using)


def connect_signals():
    """Recount the answer counts a save or a delete can change (the app's ``ready``)."""
    post_save.connect(_claim_saved, sender="wcit.Claim", dispatch_uid="wcit-answers-claim")
    pre_save.connect(
        _relation_before_save, sender="wcit.ClaimRelation", dispatch_uid="wcit-answers-before"
    )
    post_save.connect(
        _relation_saved, sender="wcit.ClaimRelation", dispatch_uid="wcit-answers-relation"
    )
    post_delete.connect(
        _relation_deleted, sender="wcit.ClaimRelation", dispatch_uid="wcit-answers-deleted"
    )
