"""Search reads a stored, indexed vector and builds headlines for the rows shown only."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wcit import search
from wcit.models import Claim, Source

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's"
)


@postgres_only
def test_the_document_follows_the_summary_and_the_quote(make_claim):
    claim = make_claim(summary="Zanzibar delegates reported a quokka sighting.")
    query = SearchQuery("quokka", config="english")
    assert list(Claim.objects.filter(search_document=query)) == [claim]
    claim.summary = "Nothing about that animal any more."
    claim.save()
    assert not Claim.objects.filter(search_document=query).exists()


@postgres_only
def test_summary_weighs_more_than_quote(make_claim):
    in_summary = make_claim(summary="Consensus on the wombat question, CDT says.")
    in_quote = make_claim(
        summary="CDT reports that delegates could not agree.", quote="failed to reach consensus"
    )
    ranked = list(
        search.search_claims(Claim.objects.filter(pk__in=[in_quote.pk, in_summary.pk]), "consensus")
    )
    assert ranked == [in_summary, in_quote]


@postgres_only
def test_search_computes_no_vector_per_row():
    sql = str(search.search_claims(Claim.objects.published(), "sanctions").query)
    assert "search_document" in sql
    assert "to_tsvector" not in sql


@postgres_only
def test_search_uses_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = (
            Claim.objects.filter(search_document=SearchQuery("sanctions", config="english"))
            .values("pk")
            .query.sql_with_params()
        )
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "wcit_claim_document_gin" in plan


@postgres_only
def test_passage_search_reads_the_stored_source_vector():
    sources = Source.objects.all()
    sql = str(sources.filter(search_document=SearchQuery("sanctions", config="english")).query)
    assert "to_tsvector" not in sql
    hits = search.passage_hits(sources, "sanctions")
    assert hits and all("<mark>" in hit.snippet for hit in hits)
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    source.text += " A quokka was seen."
    source.save(update_fields=["text"])
    assert [hit.source for hit in search.passage_hits(sources, "quokka")] == [source]


@postgres_only
def test_passage_search_uses_the_gin_index():
    with connection.cursor() as cursor:
        # A GIN index is read by a bitmap scan: rule out the table's other paths.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        query = SearchQuery("sanctions", config="english")
        sql, params = (
            Source.objects.filter(search_document=query).values("pk").query.sql_with_params()
        )
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "wcit_source_document_gin" in plan


def test_a_source_is_read_without_its_vector():
    """The vector is about as large as the text; only search reads it, in SQL."""
    claim = Claim.objects.published().first()
    for source in [Source.objects.first(), claim.source]:
        assert "search_document" in source.get_deferred_fields()
    with CaptureQueriesContext(connection) as context:
        list(Claim.objects.published().for_data()[:5])
        list(Claim.objects.published().for_rows()[:5])
    assert not any("search_document" in q["sql"].split("FROM")[0] for q in context.captured_queries)


def test_headlines_are_built_for_the_rows_shown_only():
    with CaptureQueriesContext(connection) as context:
        hits = search.claim_hits(Claim.objects.published().for_list(), "internet", limit=3)
    assert len(hits) == 3
    headline_queries = [q["sql"] for q in context.captured_queries if "IN (" in q["sql"]]
    assert headline_queries
    if connection.vendor == "postgresql":
        (headline_sql,) = [sql for sql in context.captured_queries if "ts_headline" in sql["sql"]]
        ids = headline_sql["sql"].split('"wcit_claim"."id" IN (')[1].split(")")[0]
        assert len(ids.split(",")) == 3


def test_fixtures_do_not_hold_the_computed_document():
    from wcit.corpus import exported_fields

    assert "search_document" not in exported_fields(Claim)
    assert "search_document" not in exported_fields(Source)
    assert {"summary", "quote", "countries"} <= set(exported_fields(Claim))
