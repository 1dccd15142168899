"""The whole corpus in one download (/download/): a ZIP and a SQLite file, built once per
data version. Store tests (the last section) use a stand-in build and no database."""

import csv
import io
import shutil
import sqlite3
import threading
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from wcit import bundle
from wcit.bundle import store
from wcit.corpus import FIXTURES, SEEDS_DIR, fixture_paths
from wcit.models import Claim, ClaimRelation, Position, Source

ZIP_URL = "/download/wcit-corpus.zip"
SQLITE_URL = "/download/wcit-corpus.sqlite"


@pytest.fixture(autouse=True)
def downloads(settings, tmp_path):
    """Files built into a folder of the test's own, in the request (as runserver does)."""
    settings.DOWNLOADS_ROOT = tmp_path / "downloads"
    settings.DOWNLOADS_WAIT = None
    settings.SHARED_CACHE = True
    return settings.DOWNLOADS_ROOT


def fetch(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def version_of(response):
    return int(response["ETag"].strip('"'))


def open_zip(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    (folder,) = {name.split("/")[0] for name in archive.namelist()}
    return archive, folder


def open_sqlite(data, tmp_path):
    path = tmp_path / "corpus.sqlite"
    path.write_bytes(data)
    return sqlite3.connect(path)


def zip_csv(archive, folder, table):
    text = archive.read(f"{folder}/csv/{table}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# The SQLite file --------------------------------------------------------------


@pytest.mark.django_db
def test_sqlite_opens_with_its_foreign_keys_declared_and_holding(client, tmp_path):
    _response, data = fetch(client, SQLITE_URL)
    db = open_sqlite(data, tmp_path)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"claims", "sources", "speakers", "countries", "clauses", "relations"} <= tables
    assert {"disputes", "positions", "position_claims", "claim_countries", "corpus"} <= tables
    assert not [name for name in tables if name.startswith(("auth", "django", "wcit_", "axes"))]
    references = {
        (table, row[3], row[2], row[4])
        for table in tables
        for row in db.execute(f"PRAGMA foreign_key_list('{table}')")
    }
    assert ("claims", "source", "sources", "slug") in references
    assert ("claims", "speaker", "speakers", "slug") in references
    assert ("claim_countries", "country", "countries", "code") in references
    assert ("relations", "to_claim", "claims", "id") in references
    assert ("position_claims", "claim", "claims", "id") in references


@pytest.mark.django_db
def test_sqlite_foreign_keys_are_enforced_by_a_client_that_turns_them_on(client, tmp_path):
    """Guards the check above: the keys are real, so a row naming no claim is refused."""
    _response, data = fetch(client, SQLITE_URL)
    db = open_sqlite(data, tmp_path)
    db.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO claim_countries (claim, country) VALUES (-1, 'se')")


@pytest.mark.django_db
def test_sqlite_holds_every_published_claim_with_its_passage_and_no_draft(
    client, tmp_path, make_claim
):
    draft = make_claim(status=Claim.Status.DRAFT, summary="A draft nobody may read.")
    in_review = make_claim(status=Claim.Status.IN_REVIEW)
    published = Claim.objects.published().order_by("id").first()
    ClaimRelation.objects.create(from_claim=draft, to_claim=published, kind="rebuts")
    Position.objects.first().claims.add(draft)
    _response, data = fetch(client, SQLITE_URL)
    db = open_sqlite(data, tmp_path)

    ids = {claim_id for (claim_id,) in db.execute("SELECT id FROM claims")}
    assert ids == set(Claim.objects.published().values_list("pk", flat=True))
    assert draft.pk not in ids and in_review.pk not in ids
    hidden = (draft.pk, in_review.pk)
    for table, column in [("relations", "from_claim"), ("position_claims", "claim")]:
        found = db.execute(f"SELECT count(*) FROM {table} WHERE {column} IN (?, ?)", hidden)
        assert found.fetchone() == (0,), table
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []

    passages = db.execute(
        'SELECT claims.quote, claims.start, claims."end", sources.text '
        "FROM claims JOIN sources ON sources.slug = claims.source"
    ).fetchall()
    assert len(passages) == len(ids)
    for quote, start, end, text in passages:
        assert text[start:end] == quote


@pytest.mark.django_db
def test_sqlite_corpus_table_names_the_version_and_counts(client, tmp_path):
    response, data = fetch(client, SQLITE_URL)
    about = dict(open_sqlite(data, tmp_path).execute("SELECT name, value FROM corpus"))
    assert about["version"] == str(version_of(response))
    assert about["rows in claims"] == str(Claim.objects.published().count())


# The ZIP ----------------------------------------------------------------------


@pytest.mark.django_db
def test_zip_holds_the_seeds_byte_for_byte_and_a_readme_naming_the_version(client):
    response, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    version = version_of(response)
    assert folder == f"wcit-corpus-{version}"
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(seeds) == 5
    for seed in seeds:
        assert archive.read(f"{folder}/seeds/{seed.name}") == seed.read_bytes(), seed.name
    readme = archive.read(f"{folder}/README.md").decode("utf-8")
    assert f"Corpus version {version}" in readme
    assert f"| claims | {Claim.objects.published().count()} |" in readme


@pytest.mark.django_db
def test_readme_quotes_the_only_terms_a_source_states_word_for_word(client):
    """The licence notes say what the seeds say: the CDT report's terms, quoted exactly."""
    _response, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    readme = " ".join(archive.read(f"{folder}/README.md").decode("utf-8").split())
    seed = (SEEDS_DIR / "003_5bcf6c4dea129510.txt").read_text()
    terms = seed[seed.index("Copyright ©") : seed.index("give us credit.") + len("give us credit.")]
    assert f'"{" ".join(terms.split())}"' in readme
    for other in sorted(SEEDS_DIR.glob("*.txt")):
        if other.name != "003_5bcf6c4dea129510.txt":
            assert "licen" not in other.read_text().lower(), other.name


@pytest.mark.django_db
def test_zip_fixtures_are_the_exported_corpus(client):
    """Every claim of the shipped corpus is published: the ZIP's fixtures are fixtures/."""
    _response, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    for path in fixture_paths():
        assert archive.read(f"{folder}/fixtures/{path.name}") == path.read_bytes(), path.name


@pytest.mark.django_db
def test_zip_fixtures_load_into_an_empty_database_and_export_the_same(client, tmp_path):
    _response, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    archive.extractall(tmp_path / "unzipped")
    for _name, model, _order in reversed(FIXTURES):
        for field in model._meta.many_to_many:
            field.remote_field.through.objects.all()._raw_delete("default")
        model._default_manager.all()._raw_delete("default")
    call_command("load_corpus", fixtures=tmp_path / "unzipped" / folder / "fixtures", verbosity=0)
    call_command("export_fixtures", output=str(tmp_path / "again"), verbosity=0)
    for path in fixture_paths():
        again = (tmp_path / "again" / path.name).read_bytes()
        assert again == archive.read(f"{folder}/fixtures/{path.name}"), path.name


@pytest.mark.django_db
def test_zip_fixtures_leave_out_drafts_and_what_cites_them(client, make_claim):
    draft = make_claim(status=Claim.Status.DRAFT, summary="A draft nobody may read.")
    published = Claim.objects.published().order_by("id").first()
    ClaimRelation.objects.create(from_claim=draft, to_claim=published, kind="rebuts")
    Position.objects.first().claims.add(draft)
    _response, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"A draft nobody may read." not in everything
    relations = archive.read(f"{folder}/fixtures/relations.json").decode()
    assert f'"from_claim": {draft.pk},' not in relations
    assert {int(row["id"]) for row in zip_csv(archive, folder, "claims")} == set(
        Claim.objects.published().values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_zip_csv_rows_are_the_list_downloads_rows(client):
    _response, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    _list, listed = fetch(client, "/claims.csv")
    header = listed.decode("utf-8-sig").splitlines()[0]
    claims = archive.read(f"{folder}/csv/claims.csv").decode("utf-8-sig")
    assert claims.splitlines()[0] == header
    positions = zip_csv(archive, folder, "positions")
    assert len(positions) == Position.objects.count()
    assert {"id", "dispute", "key", "label", "claims"} <= positions[0].keys()


# Versions, validators ---------------------------------------------------------


@pytest.mark.django_db
def test_an_edited_claim_makes_the_next_download_a_new_build_with_the_change(client, downloads):
    first, data = fetch(client, ZIP_URL)
    archive, folder = open_zip(data)
    claim = Claim.objects.published().order_by("id").first()
    assert "Edited for the download test." not in archive.read(f"{folder}/csv/claims.csv").decode()
    claim.summary = "Edited for the download test."
    claim.save()

    second, data = fetch(client, ZIP_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert version_of(second) > version_of(first)
    assert str(version_of(second)) in second["Content-Disposition"]
    archive, folder = open_zip(data)
    rows = {int(row["id"]): row for row in zip_csv(archive, folder, "claims")}
    assert rows[claim.pk]["summary"] == "Edited for the download test."
    assert (
        "Edited for the download test." in archive.read(f"{folder}/fixtures/claims.json").decode()
    )
    _response, data = fetch(client, SQLITE_URL)
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    (summary,) = db.execute("SELECT summary FROM claims WHERE id = ?", [claim.pk]).fetchone()
    assert summary == "Edited for the download test."
    # The first version's files are gone; the second's are kept.
    assert [path.name for path in downloads.iterdir() if path.name.isdigit()] == [
        str(version_of(second))
    ]


@pytest.mark.django_db
def test_file_headers_name_the_version_and_the_length(client):
    for url, suffix, content_type in [
        (ZIP_URL, "zip", "application/zip"),
        (SQLITE_URL, "sqlite", "application/vnd.sqlite3"),
    ]:
        response, data = fetch(client, url)
        version = version_of(response)
        assert response["Content-Disposition"] == (
            f'attachment; filename="wcit-corpus-{version}.{suffix}"'
        )
        assert int(response["Content-Length"]) == len(data)
        assert response["Content-Type"] == content_type
        assert "must-revalidate" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_client_holding_this_version_gets_304_and_nothing_is_built(client, downloads):
    first, _data = fetch(client, ZIP_URL)
    for path in downloads.iterdir():
        if path.name.isdigit():
            shutil.rmtree(path)
    response = client.get(SQLITE_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert not [path for path in downloads.iterdir() if path.name.isdigit()]


@pytest.mark.django_db
def test_the_same_version_is_built_once_and_is_the_same_bytes(client, downloads):
    first, data = fetch(client, ZIP_URL)
    (folder,) = [path for path in downloads.iterdir() if path.name.isdigit()]
    built_at = (folder / f"wcit-corpus-{version_of(first)}.zip").stat().st_mtime_ns
    second, again = fetch(client, ZIP_URL)
    assert again == data and version_of(second) == version_of(first)
    assert (folder / f"wcit-corpus-{version_of(first)}.zip").stat().st_mtime_ns == built_at


@pytest.mark.django_db
def test_without_a_shared_cache_each_download_is_built_for_its_reader(client, settings, downloads):
    settings.SHARED_CACHE = False
    response, data = fetch(client, SQLITE_URL)
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response
    assert data.startswith(b"SQLite format 3\x00")
    assert list(downloads.iterdir()) == []  # removed once opened


# The page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_download_page_lists_both_files_with_their_sizes(client):
    response = client.get("/download/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert "download" in soup.body["class"]
    assert len(soup.find_all("h1")) == 1
    for kind, url in [("zip", ZIP_URL), ("sqlite", SQLITE_URL)]:
        assert reverse(f"download-{kind}") == url
        item = soup.find("li", id=kind)
        assert item.find("a", href=url)
        file, data = fetch(client, url)
        size = item.find("data", class_="size")
        assert int(size["value"]) == len(data)
        assert size.get_text() == filesizeformat(len(data))
        assert item.find("a").get_text() == f"wcit-corpus-{version_of(file)}.{kind}"
    answer = soup.select_one("p.answer").get_text()
    assert f"All {Claim.objects.published().count()} published claims" in answer
    assert f"{Source.objects.count()} sources" in answer


@pytest.mark.django_db
def test_every_page_links_the_download(client):
    soup = BeautifulSoup(client.get("/claims/").content, "html.parser")
    assert soup.select_one("footer").find("a", href="/download/")


# The store, with a stand-in build ------------------------------------------------


class Build:
    """A stand-in build that writes a file, counts its calls and, when ``held``, waits to
    be released: a build that is still running, for as long as the test wants."""

    def __init__(self, held=False):
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        if not held:
            self.release.set()

    def __call__(self, folder):
        self.calls += 1
        self.started.set()
        self.release.wait()
        (folder / "file").write_text(f"built {self.calls}")


def test_a_version_is_built_once_then_found(downloads):
    build = Build()
    first = store.find(100, build, wait=None)
    again = store.find(100, build, wait=None)
    assert build.calls == 1
    assert first == again == store.Found(100, downloads / "100")
    assert (first.folder / "file").read_text() == "built 1"


def test_while_a_build_runs_nobody_sees_it_or_builds_it_twice(downloads):
    build = Build(held=True)
    builder = threading.Thread(target=store.find, args=(100, build, None))
    builder.start()
    assert build.started.wait(timeout=600)  # a bound against a hang, not a timing
    try:
        assert not (downloads / "100").exists()  # only the temporary folder, so far
        with pytest.raises(store.NotReady):
            store.find(100, Build(), wait=0)  # the lock is taken: no second build
    finally:
        build.release.set()
        builder.join(timeout=600)
    assert build.calls == 1
    assert store.find(100, Build(), wait=0).folder == downloads / "100"


def test_a_newer_version_replaces_the_old_and_dead_builds_are_cleared(downloads):
    store.find(100, Build(), wait=None)
    dead = downloads / ".building-150-99999"
    dead.mkdir()
    store.find(200, Build(), wait=None)
    assert sorted(path.name for path in downloads.iterdir()) == [".lock", "200"]


def test_a_long_build_goes_on_in_the_background_while_the_last_version_is_served(downloads):
    store.find(100, Build(), wait=None)
    build = Build(held=True)
    try:
        found = store.find(200, build, wait=0)
        assert found == store.Found(100, downloads / "100")
        assert build.started.wait(timeout=600)  # a bound against a hang, not a timing
        assert build.calls == 1
    finally:
        build.release.set()
    for thread in threading.enumerate():
        if thread.name == "wcit-download-200":
            thread.join(timeout=600)
    assert store.find(200, Build(), wait=0) == store.Found(200, downloads / "200")
    assert not (downloads / "100").exists()


def test_while_another_builds_the_older_version_is_served_without_waiting(downloads, monkeypatch):
    class NoWaiting:
        monotonic = staticmethod(store.time.monotonic)

        @staticmethod
        def sleep(seconds):
            raise AssertionError("waited for another process's build")

    store.find(100, Build(), wait=None)
    lock = store._lock(store.root(), blocking=True)  # another process is building
    monkeypatch.setattr(store, "time", NoWaiting)
    try:
        assert store.find(200, Build(), wait=600) == store.Found(100, downloads / "100")
    finally:
        lock.close()


def test_nothing_built_yet_and_a_build_running_is_not_ready(downloads):
    build = Build(held=True)
    try:
        with pytest.raises(store.NotReady):
            store.find(100, build, wait=0)
    finally:
        build.release.set()
    for thread in threading.enumerate():
        if thread.name == "wcit-download-100":
            thread.join(timeout=600)
    assert store.find(100, Build(), wait=0).version == 100


@pytest.mark.django_db
def test_a_file_asked_for_while_nothing_is_built_answers_503(client, downloads, settings):
    settings.DOWNLOADS_WAIT = 0
    lock = store._lock(store.root(), blocking=True)  # another process is building
    try:
        response = client.get(ZIP_URL)
        page = client.get("/download/")
    finally:
        lock.close()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "being built" in BeautifulSoup(page.content, "html.parser").select_one("p.answer").text
    assert bundle.KINDS.keys() == {"zip", "sqlite"}
