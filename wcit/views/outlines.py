"""What a dispute's page and a source's page lead with, so that they read on a phone: a
dispute's sides with their strongest claims and who answered whom, each claim once; a
source's abstract and its table of contents."""

from string import ascii_uppercase

from django.db.models import Count

from .. import reading
from ..models import Claim, ClaimRelation, Clause, Country, Position, Speaker

# A dispute's page stays within four phone screens, however many claims its sides have:
# the sides share SIDE_SHOWN open claims, each side at least one, shown with their quotes
# unless there are more than QUOTED_SIDES sides (then summary, speaker, source and passage
# link: seven sides' quotes would fill three screens); each side folds up to SIDE_FOLDED
# more, and links to the rest in the claim list.
SIDE_SHOWN = 4
QUOTED_SIDES = 4
SIDE_FOLDED = 8
# What the sources agree on: the first claims open, the rest folded (SIDE_FOLDED at most).
AGREED_SHOWN = 1
# The exchange: its first links, in the order they were recorded.
EXCHANGE_LIMIT = 40


def side_letter(index):
    """A, B, ... Z, then AA, AB: how a side and its claims (A1, A2) are named on the page."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return letters


def strongest_first(claims, answered):
    """``claims`` strongest first: the most answered within the dispute (``answered``:
    {claim id: number of its claims answering it}), then delegations' and organisations'
    before persons', then the earliest source (undated last), then the first recorded."""

    def strength(claim):
        speaker = claim.speaker
        person = speaker is None or speaker.kind == Speaker.Kind.PERSON
        published = claim.source.published
        return (-answered.get(claim.pk, 0), person, published is None, published or 0, claim.pk)

    return sorted(claims, key=strength)


def dispute_outline(dispute):
    """The context of a dispute's page (``Dispute.objects.for_list()``): its sides, each with
    its strongest claims and the next ones folded, what the sources agree on, and the
    exchange, whose turns name a claim shown above by its place (A1) rather than again."""
    positions = list(dispute.positions.all())
    on_sides = Position.claims.through.objects.filter(
        position__dispute=dispute, claim__status=Claim.Status.PUBLISHED
    ).values("claim")
    within = ClaimRelation.objects.filter(from_claim__in=on_sides, to_claim__in=on_sides)
    answered = dict(
        within.order_by().values("to_claim").annotate(n=Count("pk")).values_list("to_claim", "n")
    )
    kinds = dict(within.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    shown = max(1, SIDE_SHOWN // max(1, len(positions)))
    quoted = len(positions) <= QUOTED_SIDES
    claims = {}
    for index, position in enumerate(positions):
        position.letter = side_letter(index)
        ranked = strongest_first(position.published_claims, answered)
        for number, claim in enumerate(ranked, start=1):
            claim.side = position
            claim.answers_in_dispute = answered.get(claim.pk, 0)
            claims[claim.pk] = claim
            if number <= shown + SIDE_FOLDED:
                claim.tag = f"{position.letter}{number}"
        position.count = len(ranked)
        position.cards = ranked[:shown]
        position.unquoted = not quoted
        position.folded = ranked[shown : shown + SIDE_FOLDED]
        position.more = len(ranked) - len(position.cards)
        position.cut = len(ranked) > shown + SIDE_FOLDED
    agreed = dispute.published_common_ground
    relations = list(within.order_by("id")[: EXCHANGE_LIMIT + 1])
    for relation in relations[:EXCHANGE_LIMIT]:
        # The claims already fetched, with their speakers, sources and sides.
        relation.from_claim = claims[relation.from_claim_id]
        relation.to_claim = claims[relation.to_claim_id]
    threads = reading.exchange(relations[:EXCHANGE_LIMIT], order=reading.chronological)
    for relation in relations[:EXCHANGE_LIMIT]:
        # A card links to its place in the exchange, where the exchange shows it.
        relation.from_claim.in_exchange = relation.to_claim.in_exchange = True
    return {
        "sides": positions,
        "claim_count": len(claims),
        "agreed_shown": agreed[:AGREED_SHOWN],
        "agreed_folded": agreed[AGREED_SHOWN : AGREED_SHOWN + SIDE_FOLDED],
        "agreed_cut": len(agreed) > AGREED_SHOWN + SIDE_FOLDED,
        "exchange": threads,
        "exchange_cut": len(relations) > EXCHANGE_LIMIT,
        "exchange_limit": EXCHANGE_LIMIT,
        "rebuttals": kinds.get(ClaimRelation.Kind.REBUTS, 0),
        "supports": kinds.get(ClaimRelation.Kind.SUPPORTS, 0),
        "answer_count": sum(kinds.values()),
    }


# Sources -----------------------------------------------------------------------------

# How many clauses and countries a source's abstract names, the most discussed first.
ABSTRACT_NAMES = 2
# A reply folds to its opening: its first paragraph (and the next ones while they hold
# fewer than OPENING_LEAST words), cut after OPENING_MOST words; under the fold it lists
# its first FOLD_CLAIMS claims, and the rest are marked in its text.
OPENING_LEAST = 20
OPENING_MOST = 50
FOLD_CLAIMS = 3


def most_named(claims, model, field):
    """[(object, number of ``claims`` naming it)], most named first, and how many in all."""
    links = getattr(Claim, field).through.objects.filter(claim__in=claims)
    column = f"{model._meta.model_name}_id"
    counts = (
        links.order_by()
        .values(column)
        .annotate(n=Count("pk"))
        .order_by("-n", column)
        .values_list(column, "n")
    )
    counts = list(counts)
    objects = model.objects.in_bulk([pk for pk, _n in counts[:ABSTRACT_NAMES]])
    return [(objects[pk], n) for pk, n in counts[:ABSTRACT_NAMES]], len(counts)


def source_abstract(source, thread, claims):
    """What a source's first lines say of its claims (``claims``: the published claims of
    ``source`` and its ``thread``): how many in it and in its replies, and the clauses and
    countries they name most."""
    counts = claims.counts_by("source")
    clauses, clause_count = most_named(claims, Clause, "clauses")
    countries, country_count = most_named(claims, Country, "countries")
    return {
        "own": counts.get(source.pk, 0),
        "in_replies": sum(counts.get(reply.pk, 0) for reply in thread),
        "replies": len(thread),
        "clauses": clauses,
        "clause_count": clause_count,
        "countries": countries,
        "country_count": country_count,
        "counts": counts,
    }
