"""The shipped corpus: faithful to the seeds, anchored, and lossless through export."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from wcit.corpus import FIXTURES, FIXTURES_DIR, SEEDS_DIR, fixture_paths
from wcit.models import Claim, ClauseText, Source

from .seeds import seed_texts

pytestmark = pytest.mark.django_db


def test_check_corpus_passes_on_the_shipped_fixtures(capsys):
    call_command("check_corpus")
    assert "resolve to exactly one place" in capsys.readouterr().out


def test_check_corpus_fails_naming_claim_and_source(capsys):
    claim = Claim.objects.select_related("source").first()
    Claim.objects.filter(pk=claim.pk).update(quote="words that are in no source")
    with pytest.raises(CommandError, match="1 of .* anchored passages do not resolve"):
        call_command("check_corpus")
    err = capsys.readouterr().err
    assert f"Claim #{claim.pk} in source “{claim.source.slug}”" in err


def test_check_corpus_fails_on_a_wrong_answer_count_and_recounts(capsys):
    claim = Claim.objects.filter(answer_count__gt=0).order_by("pk").first()
    Claim.objects.filter(pk=claim.pk).update(answer_count=claim.answer_count + 5)
    with pytest.raises(CommandError, match="1 claims store a wrong answer count"):
        call_command("check_corpus")
    err = capsys.readouterr().err
    assert (
        f"Claim #{claim.pk} stores {claim.answer_count + 5} answers; {claim.answer_count} " in err
    )
    call_command("check_corpus", recount=True)
    assert "every claim's answer count is right" in capsys.readouterr().out
    assert Claim.objects.get(pk=claim.pk).answer_count == claim.answer_count


def test_export_after_load_is_byte_identical(tmp_path):
    call_command("export_fixtures", output=str(tmp_path), verbosity=0)
    for path in fixture_paths():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_export_after_a_change_differs(tmp_path):
    """Guards the round-trip test above: it would notice a change."""
    Claim.objects.filter(pk=Claim.objects.first().pk).update(summary="Changed.")
    call_command("export_fixtures", output=str(tmp_path), verbosity=0)
    assert (tmp_path / "claims.json").read_bytes() != (FIXTURES_DIR / "claims.json").read_bytes()


def test_load_corpus_refuses_a_database_that_holds_data():
    with pytest.raises(CommandError, match="already holds data"):
        call_command("load_corpus")


def test_every_source_text_is_faithful_to_its_seed():
    expected = {seed.slug: seed for seed in seed_texts(SEEDS_DIR)}
    sources = {source.slug: source for source in Source.objects.select_related("parent")}
    assert sources.keys() == expected.keys()
    for slug, source in sources.items():
        assert source.text == expected[slug].text, slug
        assert (source.parent.slug if source.parent else None) == expected[slug].parent, slug


def test_thread_has_every_comment_as_its_own_source():
    comments = Source.objects.filter(kind=Source.Kind.COMMENT)
    assert comments.count() == 17
    assert comments.filter(parent__slug="what-really-happened-in-dubai").count() == 8


def test_metadata_is_only_what_the_texts_support():
    seeds_text = "".join(path.read_text() for path in SEEDS_DIR.glob("*.txt"))
    for source in Source.objects.all():
        if source.url:
            assert source.url in seeds_text, source.slug
        if source.kind == Source.Kind.COMMENT:
            assert source.published is None and source.url == "", source.slug


def test_at_least_forty_claims_over_all_five_documents():
    assert Claim.objects.published().count() >= 40
    roots = Counter()
    for claim in Claim.objects.select_related("source__parent__parent"):
        source = claim.source
        while source.parent_id:
            source = source.parent
        roots[source.slug] += 1
    assert len(roots) == 5


def test_clause_texts_keep_both_versions_of_5b():
    versions = set(ClauseText.objects.filter(clause__code="5b").values_list("quote", flat=True))
    assert len(versions) == 2
    assert any("minimise" in v for v in versions) and any("minimize" in v for v in versions)


def test_fixture_files_list_every_model_once():
    models = [model for _name, model, _order in FIXTURES]
    assert len(models) == len(set(models))
