"""The stored answer count (``Claim.answer_count``, ``wcit.models.answers``): right after every
write that can change it, and the index walk it gives the lists' default order (issue 22)."""

import json
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import F

import wcit.cache
from wcit.filters import ClaimFilter
from wcit.models import Claim, ClaimRelation

from .factories import generate_claims

pytestmark = pytest.mark.django_db

# As the site has it: conftest bumps the data version at once, inside the saving transaction,
# where its row lock would make concurrent saves wait for each other's commit.
BUMP_ON_COMMIT = wcit.cache.bump_on_commit


def computed(claim):
    """How many published claims rebut or support ``claim``, counted here from the relations."""
    return ClaimRelation.objects.filter(
        to_claim=claim, kind__in=["rebuts", "supports"], from_claim__status="published"
    ).count()


def stored(claim):
    return Claim.objects.values_list("answer_count", flat=True).get(pk=claim.pk)


def wrong_counts():
    """The claims whose stored count is not the sum ``with_answer_counts()`` computes."""
    sums = Claim.objects.with_answer_counts().annotate(
        computed=F("rebutted_count") + F("supported_count")
    )
    return list(sums.exclude(answer_count=F("computed")).values_list("pk", "answer_count"))


@pytest.fixture
def pair(make_claim):
    """Two new published claims answering nothing and answered by nothing."""
    return make_claim(summary="The answering claim."), make_claim(summary="The answered claim.")


def test_the_loaded_corpus_has_its_counts(pair):
    """load_corpus recounts after loaddata's raw saves, which recount nothing themselves."""
    assert wrong_counts() == []
    answered = Claim.objects.filter(answer_count__gt=0)
    assert answered.count() > 100
    most = answered.order_by("-answer_count").first()
    assert most.answer_count == computed(most) > 1


def test_a_relation_created_counts(pair):
    answer, answered = pair
    ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="rebuts")
    assert stored(answered) == computed(answered) == 1
    assert wrong_counts() == []


def test_a_relation_moved_to_another_claim_counts_for_the_new_one_only(pair, make_claim):
    answer, answered = pair
    relation = ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="rebuts")
    other = make_claim(summary="Another claim.")
    relation.to_claim = other
    relation.kind = "supports"
    relation.save()
    assert (stored(answered), stored(other)) == (0, 1)
    assert wrong_counts() == []


def test_a_relation_whose_kind_changes_still_counts_once(pair):
    answer, answered = pair
    relation = ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="rebuts")
    relation.kind = "supports"
    relation.save()
    assert stored(answered) == 1
    assert wrong_counts() == []


def test_a_relation_deleted_no_longer_counts(pair):
    answer, answered = pair
    relation = ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="rebuts")
    assert stored(answered) == 1
    relation.delete()
    assert stored(answered) == 0
    ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="rebuts")
    assert stored(answered) == 1
    ClaimRelation.objects.filter(to_claim=answered).delete()  # a queryset's delete too
    assert stored(answered) == 0


def test_an_answer_unpublished_and_republished(pair):
    answer, answered = pair
    ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="supports")
    answer.status = Claim.Status.IN_REVIEW
    answer.save(update_fields=["status"])
    assert stored(answered) == computed(answered) == 0
    answer.status = Claim.Status.PUBLISHED
    answer.save()
    assert stored(answered) == computed(answered) == 1


def test_an_answer_deleted_takes_its_relations_and_their_counts(pair):
    answer, answered = pair
    ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="supports")
    assert stored(answered) == 1
    answer.delete()
    assert stored(answered) == 0
    assert wrong_counts() == []


def test_a_claim_saved_from_an_old_instance_keeps_its_count(pair):
    """A save writes every field, the count its instance held too: the receiver recounts."""
    answer, answered = pair
    ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="supports")
    assert answered.answer_count == 0  # what this instance read before the answer
    answered.summary = "Edited."
    answered.save()
    assert stored(answered) == 1


def test_import_claims_counts_the_relations_it_makes(tmp_path):
    drafts = [
        {
            "key": key,
            "source": "cdt-wcit-watch-day-11",
            "quote": "failed to reach consensus today",
            "summary": f"Imported claim {key}.",
            "speaker": None,
            "countries": [],
            "clauses": [],
            "kind": "fact",
            "relations": relations,
        }
        for key, relations in [("a", [{"kind": "rebuts", "to": "b"}]), ("b", [])]
    ]
    path = tmp_path / "drafts.json"
    path.write_text(json.dumps(drafts))
    call_command("import_claims", str(path), status="published", verbosity=0)
    imported = Claim.objects.get(summary="Imported claim b.")
    assert stored(imported) == 1


def test_generated_answers_count(pair):
    """generate_claims' bulk inserts send no signals: it recounts what its copies answer."""
    answered = pair[1]
    generate_claims(3, relate=True, originals=Claim.objects.filter(pk=answered.pk))
    assert stored(answered) == 3
    assert wrong_counts() == []


def test_the_default_order_follows_a_new_answer_on_every_list(client, pair, make_claim):
    """The page, its download and the API list put first the claim answered most, today:
    a claim nobody answered rises to the top when enough published claims answer it."""
    answered = pair[1]
    top = Claim.objects.order_by("-answer_count").first().answer_count
    for i in range(top + 1):
        answer = make_claim(summary=f"Answer {i}.")
        ClaimRelation.objects.create(from_claim=answer, to_claim=answered, kind="supports")
    counts = Counter(
        ClaimRelation.objects.filter(from_claim__status="published").values_list(
            "to_claim", flat=True
        )
    )
    published = Claim.objects.published().values_list("pk", flat=True)
    expected = sorted(published, key=lambda pk: (-counts[pk], pk))[:10]
    assert expected[0] == answered.pk

    page = client.get("/claims/").content.decode()
    shown = [int(part.split('"')[0]) for part in page.split('data-claim="')[1:]]
    rows = b"".join(client.get("/claims.csv").streaming_content).decode().splitlines()
    listed = [claim["id"] for claim in client.get("/api/claims/").json()["results"]]
    assert shown[:10] == [int(line.split(",")[0]) for line in rows[1:11]] == listed[:10]
    assert listed[:10] == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_default_order_walks_its_index_and_sorts_nothing():
    """The claim list's default order reads claim_answered_idx in order and stops after a
    page: no Sort node, which would mean every claim selected was read and sorted first."""
    generate_claims(5000, keep=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE wcit_claim")
    claims = ClaimFilter({}, queryset=Claim.objects.published().for_rows()).qs
    plan = claims[:25].explain()
    assert "Index Scan using claim_answered_idx" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions")
def test_two_answers_saved_at_once_both_count(monkeypatch):
    """Two curators answer one claim at the same moment: the second transaction's recount
    waits for the first to commit, then counts both (without the lock it counted from a
    snapshot taken before the first committed). The threads' connections commit, outside
    this test's transaction, so they delete what they made at the end."""
    monkeypatch.setattr(wcit.cache, "bump_on_commit", BUMP_ON_COMMIT)
    answered, first, second = Claim.objects.published().exclude(relations_out__isnull=False)[:3]
    before = stored(answered)
    saved, go = threading.Event(), threading.Event()
    made, errors = [], []

    def answer(claim, hold):
        try:
            with transaction.atomic():
                made.append(
                    ClaimRelation.objects.create(from_claim=claim, to_claim=answered, kind="rebuts")
                )
                if hold:
                    saved.set()
                    go.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    def forget(relations):
        """Delete the relations, and their history: later tests read the admin's record
        of changes."""
        ids = [relation.pk for relation in relations]
        for relation in relations:
            relation.delete()
        ClaimRelation.history.filter(id__in=ids).delete()
        connections.close_all()

    def in_thread(work, *args):
        thread = threading.Thread(target=work, args=args)
        thread.start()
        return thread

    try:
        holding = in_thread(answer, first, True)
        assert saved.wait(10)
        waiting = in_thread(answer, second, False)
        time.sleep(0.5)  # the second is saved and waits for the first's lock
        go.set()
        holding.join(10)
        waiting.join(10)
        assert errors == []
        assert stored(answered) == before + 2
    finally:
        go.set()
        in_thread(forget, made).join(10)
    assert stored(answered) == before
