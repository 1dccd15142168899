"""No stampede: after an edit, a page is rendered once however many readers ask at once.

Real processes: gunicorn with threads, the page cache in Redis (db 7, a prefix of this run)
or in each process's memory, an edit saved by another process as the admin would save it,
then readers released together by a barrier. Each response says whether it was rendered
(``X-Cache: miss``) or taken from the cache (``hit``).
"""

import threading
import time

import pytest

from .servers import SECRET, Server, base_env, manage, prepare_sqlite, redis_is_there

READERS = 16
# The blog post with its comment thread: the slowest page of the corpus to render.
PAGE = "/sources/what-really-happened-in-dubai/"
HEADERS = {"Host": "127.0.0.1"}


@pytest.fixture(scope="module", params=["redis", "local memory"])
def site(request, tmp_path_factory):
    """(a gunicorn serving the corpus with READERS threads in all, its environment)."""
    if request.param == "redis" and not redis_is_there():
        pytest.skip("needs Redis on 127.0.0.1:6379 (this test starts none)")
    folder = tmp_path_factory.mktemp("stampede")
    env = base_env(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=prepare_sqlite(folder / "db.sqlite3"),
    )
    if request.param == "redis":
        prefix = f"wcit-test-stampede-{time.time_ns()}"
        env.update(REDIS_URL="redis://127.0.0.1:6379/7", DJANGO_CACHE_KEY_PREFIX=prefix)
        # Two processes share one cache: the lock is Redis's, across processes.
        server = Server(env, folder / "gunicorn.log", workers=2, threads=READERS // 2)
    else:
        # One process, its own memory: the lock is that process's, across its threads.
        env.update(DJANGO_SHARED_CACHE="1")
        server = Server(env, folder / "gunicorn.log", workers=1, threads=READERS)
    yield server, env
    server.stop()
    if request.param == "redis":
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, db=7)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def edit(env):
    """Save a claim in another process, as the admin would: a new data version."""
    manage(
        env,
        "shell",
        "-c",
        "from wcit.models import Claim; c = Claim.objects.get(pk=7); "
        "c.summary = c.summary + ' (edited)'; c.save()",
    )


def readers_at_once(server, path, n=READERS):
    """(X-Cache, ETag, body) of ``n`` GETs of ``path`` sent together."""
    barrier = threading.Barrier(n)
    answers = [None] * n

    def read(i):
        barrier.wait()
        status, headers, body = server.get(path, HEADERS)
        answers[i] = (status, headers["X-Cache"], headers["ETag"], body)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def wait_for_new_version(server, etag):
    """Until the server answers another page (not ``PAGE``) under a version after ``etag``'s:
    without Redis a process checks the database's version every few seconds."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        _status, headers, _body = server.get("/claims/1/", HEADERS)
        if headers["ETag"].split("-")[0] != etag.split("-")[0]:
            return
        time.sleep(0.2)
    raise AssertionError("the edit never showed")


def test_after_an_edit_a_page_is_rendered_once_however_many_ask(site):
    server, env = site
    status, headers, _body = server.get(PAGE, HEADERS)
    assert status == 200
    before = headers["ETag"]
    for _round in range(2):
        edit(env)
        wait_for_new_version(server, before)
        answers = readers_at_once(server, PAGE)
        assert {status for status, *_ in answers} == {200}
        renders = [how for _status, how, *_ in answers].count("miss")
        assert renders == 1, f"{renders} of {READERS} readers rendered the page"
        assert [how for _status, how, *_ in answers].count("hit") == READERS - 1
        # Every reader got the one page rendered, under the new version.
        assert len({(etag, body) for _status, _how, etag, body in answers}) == 1
        assert answers[0][2] != before
        before = answers[0][2]
