"""The whole corpus as two files, built together once per data version: a ZIP
(``archive``: the fixtures, the seed documents, a CSV per table, a README) and a SQLite
database (``database``), both from the rows of ``tables``, kept by ``store``.

One pass over the rows writes both files: at 100,000 claims, making the API's rows is
most of a build. A build reads the database in one transaction (a snapshot on
PostgreSQL), so that a change committed while it runs cannot leave, say, a relation to a
claim the files lack.
"""

import json
import shutil
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

from django.conf import settings
from django.db import connection, transaction

from .. import cache
from ..schemas import rows
from . import store
from .archive import Archive
from .database import Database
from .tables import TABLES, Site

__all__ = ["KINDS", "NAME", "TABLES", "Edition", "NotReady", "Site", "build", "find", "open_file"]

NAME = "wcit-corpus"
MANIFEST = "manifest.json"
CHUNK = 2000
NotReady = store.NotReady


@dataclass(frozen=True)
class Kind:
    suffix: str
    label: str
    content_type: str


KINDS = {
    "zip": Kind("zip", "ZIP", "application/zip"),
    "sqlite": Kind("sqlite", "SQLite", "application/vnd.sqlite3"),
}


@dataclass(frozen=True)
class Edition:
    """What a build is of: a data version, and the site whose links the files hold."""

    version: int
    site: Site

    @property
    def changed(self):
        """When the data last changed: the version is that time in microseconds."""
        return datetime.fromtimestamp(self.version / 1_000_000, UTC)

    @property
    def stamp(self):
        """The ZIP entries' date: the version's, so that two builds are the same bytes."""
        return self.changed.timetuple()[:6]

    @property
    def folder(self):
        """The name of the ZIP's one folder, and of the files without their suffix."""
        return f"{NAME}-{self.version}"

    def filename(self, suffix):
        return f"{self.folder}.{suffix}"

    def about(self):
        """[(name, value)]: what the SQLite file's ``corpus`` table says of itself."""
        return [
            ("version", str(self.version)),
            ("data changed", self.changed.isoformat()),
            ("site", self.site.base),
            ("tables", " ".join(table.name for table in TABLES)),
        ]


@dataclass(frozen=True)
class Built:
    """The files of one version: ``files`` {kind: (path, size)}, ``counts`` {table: rows}."""

    version: int
    files: dict
    counts: dict
    current: bool  # of the data version the request asked for (else an older one)
    shared: bool  # kept for every reader of the version (else built for this one)


def find(base_url):
    """The built files of the current data version, building them if need be; while a
    build runs longer than ``settings.DOWNLOADS_WAIT``, the newest older version's.
    Raises ``NotReady`` when no version is built yet."""
    site = Site(base_url)
    if not settings.SHARED_CACHE:
        # No version that every process sees: this process cannot know that another
        # changed the data, so each download is built for its reader, named for now.
        edition = Edition(time.time_ns() // 1000, site)
        folder = store.fresh(lambda folder: build(folder, edition))
        return _read(folder, edition.version, current=True, shared=False)
    version = cache.data_version()
    edition = Edition(version, site)
    found = store.find(version, lambda folder: build(folder, edition), settings.DOWNLOADS_WAIT)
    return _read(found.folder, found.version, found.version >= version, shared=True)


def open_file(built, kind):
    """``built``'s file of ``kind``, open for reading; an unshared build is removed once
    opened (the open file reads on until closed)."""
    path, _size = built.files[kind]
    file = open(path, "rb")  # noqa: SIM115 - the response closes it
    if not built.shared:
        shutil.rmtree(path.parent, ignore_errors=True)
    return file


def _read(folder, version, current, shared):
    manifest = json.loads((folder / MANIFEST).read_text())
    files = {
        kind: (folder / name, (folder / name).stat().st_size)
        for kind, name in manifest["files"].items()
    }
    return Built(version, files, manifest["counts"], current, shared)


def build(folder, edition):
    """Write both files of ``edition`` into ``folder``, and a manifest naming them."""
    names = {kind: edition.filename(spec.suffix) for kind, spec in KINDS.items()}
    with snapshot(), ExitStack() as cleanup:
        archive = Archive(folder / names["zip"], edition)
        cleanup.callback(archive.abort)
        database = Database(folder / names["sqlite"])
        cleanup.callback(database.abort)
        archive.write_fixtures()
        archive.write_seeds()
        counts = {
            table.name: _write_table(table, edition.site, archive, database) for table in TABLES
        }
        archive.close(counts)
        database.close(edition.about(), counts)
        cleanup.pop_all()
    manifest = {"version": edition.version, "files": names, "counts": counts}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _write_table(table, site, archive, database):
    """Write ``table``'s rows into both files, a chunk at a time; return how many."""
    records = rows(table.schema, table.objects().iterator(chunk_size=CHUNK), site, CHUNK)
    csv_file, sqlite_rows = archive.table(table), database.table(table)
    count = 0
    while chunk := list(islice(records, CHUNK)):
        csv_file.write(chunk)
        sqlite_rows.write(chunk)
        count += len(chunk)
    csv_file.close()
    return count


@contextmanager
def snapshot():
    """One consistent reading of the database for a whole build."""
    if connection.in_atomic_block:  # already in one transaction (a test, a command)
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
