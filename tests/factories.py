"""Generated claims, for tests and benchmarks: never part of the site."""

from wcit import cache
from wcit.models import Claim, ClaimRelation, Position


def generate_claims(total, summary=None, relate=False, batch=5000, originals=None, keep=True):
    """Add ``total`` published copies of the real claims, for tests and benchmarks.

    Copies keep their original's passage, so every anchor still resolves; they
    keep its countries and clauses; ``summary(original, i)`` varies the text;
    with ``relate`` each copy supports its original and takes its original's side
    in every dispute. Signature status is not copied: generated claims report
    nothing about countries. ``originals`` (a queryset, all claims by default) are the
    claims copied; ``keep`` false returns only how many were made, so that a million copies
    are not held in memory at once.
    """
    originals = list(
        (Claim.objects.all() if originals is None else originals)
        .prefetch_related("countries", "clauses", "positions")
        .order_by("id")
    )
    summary = summary or (lambda original, i: f"Generated copy {i} of claim {original.pk}.")
    created = []
    for offset in range(0, total, batch):
        chosen = [
            (offset + i, originals[(offset + i) % len(originals)])
            for i in range(min(batch, total - offset))
        ]
        copies = Claim.objects.bulk_create(
            Claim(
                source_id=original.source_id,
                quote=original.quote,
                prefix=original.prefix,
                suffix=original.suffix,
                summary=summary(original, i),
                speaker_id=original.speaker_id,
                kind=original.kind,
                stance=original.stance,
                status=Claim.Status.PUBLISHED,
            )
            for i, original in chosen
        )
        pairs = list(zip(copies, (original for _i, original in chosen), strict=True))
        Claim.countries.through.objects.bulk_create(
            Claim.countries.through(claim_id=copy.pk, country_id=country.pk)
            for copy, original in pairs
            for country in original.countries.all()
        )
        Claim.clauses.through.objects.bulk_create(
            Claim.clauses.through(claim_id=copy.pk, clause_id=clause.pk)
            for copy, original in pairs
            for clause in original.clauses.all()
        )
        if relate:
            ClaimRelation.objects.bulk_create(
                ClaimRelation(from_claim=copy, to_claim=original, kind="supports")
                for copy, original in pairs
            )
            Position.claims.through.objects.bulk_create(
                Position.claims.through(claim_id=copy.pk, position_id=position.pk)
                for copy, original in pairs
                for position in original.positions.all()
            )
        if keep:
            created += copies
    # bulk_create sends no signals: recount what the copies answer, say the data changed.
    if relate:
        Claim.objects.filter(pk__in=[original.pk for original in originals]).recount_answers()
    cache.bump_on_commit()
    return created if keep else total
