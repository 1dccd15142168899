"""Where the built files live: ``settings.DOWNLOADS_ROOT``, a folder per data version
(``<root>/<version>/``) holding both files.

A version is built once, whichever process asks first: one build at a time (an exclusive
lock on ``<root>/.lock``, which the operating system releases if its holder dies), and a
process that finds the lock taken does not build too. A build is written into a temporary
folder and renamed into place whole, so no reader ever opens part of one. Once a version is
in place, older ones are removed (a reader still streaming a file keeps it open until done:
unlinking does not cut it off).

A build of 100,000 claims takes minutes, longer than a worker may spend on a request, so the
request that starts one waits only ``wait`` seconds for it: the build goes on in a thread,
and meanwhile the newest older version is served, to that request and to every other.
``wait=None`` builds in the request itself, however long (runserver, tests: a test's data
is visible to its own database connection only).
"""

import fcntl
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

logger = logging.getLogger("wcit.bundle")

BUILDING = ".building-"
# How often a request waiting for another process's build looks for it.
POLL_SECONDS = 0.25


class NotReady(Exception):
    """No version is built yet, and the current one is still being built."""


@dataclass(frozen=True)
class Found:
    version: int
    folder: Path


def root():
    folder = Path(settings.DOWNLOADS_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def find(version, build, wait):
    """The folder holding ``version``'s files (or a newer version's), built by
    ``build(folder)`` if nobody is building it yet.

    The request that starts a build waits ``wait`` seconds for it (``None``: builds it
    itself, however long); past that, or at once while another request is building, it
    gets the newest older version's folder. With none, it waits for the build up to
    ``wait`` seconds, then raises ``NotReady``."""
    base = root()
    deadline = time.monotonic() + (wait or 0)
    while True:
        found = _newest(base)
        if found and found.version >= version:
            return found
        lock = _lock(base, blocking=wait is None)
        if lock is not None:
            if wait is None:
                _build_and_release(base, version, build, lock)
                continue
            thread = threading.Thread(
                target=_build_and_release,
                args=(base, version, build, lock),
                kwargs={"in_thread": True},
                name=f"wcit-download-{version}",
                daemon=True,
            )
            thread.start()
            thread.join(max(0, deadline - time.monotonic()))
            if thread.is_alive():
                break
            continue
        # Another request is building: only one with nothing else to serve waits for it.
        if found or time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    if found is None:
        raise NotReady
    return found


def fresh(build):
    """A folder built now for one reader, which the caller removes: for when there is no
    shared data version to build once for (see ``wcit.bundle.find``)."""
    folder = root() / f"{BUILDING}once-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        build(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _newest(base):
    versions = [int(path.name) for path in base.iterdir() if path.name.isdigit()]
    return Found(max(versions), base / str(max(versions))) if versions else None


def _lock(base, blocking):
    """The build lock, held (an open file), or None when another holds it."""
    lock = open(base / ".lock", "a")  # noqa: SIM115 - held past this function
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        lock.close()
        return None
    return lock


def _build_and_release(base, version, build, lock, in_thread=False):
    try:
        found = _newest(base)
        if found and found.version >= version:  # built while this one waited for the lock
            return
        _build(base, version, build)
    except Exception:
        if not in_thread:
            raise
        logger.exception("Could not build the downloads of version %s", version)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        if in_thread:
            # The thread's own database connection, which nothing else would close.
            connections.close_all()


def _build(base, version, build):
    partial = base / f"{BUILDING}{version}-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    started = time.monotonic()
    try:
        build(partial)
        for path in partial.iterdir():
            _sync(path)
        os.rename(partial, base / str(version))
        _sync(base)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    logger.info("Built the downloads of version %s in %.1f s", version, time.monotonic() - started)
    _remove_older(base, version)


def _sync(path):
    """Flush ``path`` to disk: after a crash, a name renamed into place must not point at
    content that never reached the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_older(base, version):
    """Remove the versions before ``version``, and folders left by builds that died (none is
    in progress: the caller holds the lock)."""
    for path in base.iterdir():
        old = path.name.isdigit() and int(path.name) < version
        dead = path.name.startswith(BUILDING) and not path.name.startswith(f"{BUILDING}once-")
        if old or dead:
            shutil.rmtree(path, ignore_errors=True)
