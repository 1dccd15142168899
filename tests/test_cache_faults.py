"""A sick cache: a save while Redis is frozen or refusing still reaches the pages, pages are
served uncached meanwhile with one log line per outage, and /healthz does not fail on it.

Each test that makes Redis sick uses a redis-server of its own (``tests.servers.RedisServer``,
the ``own_redis`` fixture), never the shared one on 6379.
"""

import logging
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group, User

from wcit.models import Claim

from .servers import SECRET, Server, base_env, prepare_sqlite, redis_is_there

pytestmark = pytest.mark.django_db


def reviewer_client(client):
    reviewer = User.objects.create_user("rita", password="x" * 20, is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    admin = type(client)()
    admin.force_login(reviewer)
    return admin


def after_the_bound(settings, condition):
    """``condition()`` once the bound the README states has passed since the cache came back:
    the breaker's pause (this process asks the cache again), then the life of the version's
    copy the cache held before the fault."""
    time.sleep(settings.CACHES["default"]["OPTIONS"]["pause"] + settings.DATA_VERSION_SECONDS)
    return condition()


@pytest.mark.parametrize("fault", ["frozen", "refusing"])
def test_a_save_while_the_cache_is_away_reaches_the_page_once_it_is_back(
    client, settings, own_redis, fault
):
    """Issue 21: with Redis frozen for 1 s during a save, the page stayed stale for an hour."""
    claim = Claim.objects.published().get(pk=13)
    assert client.get("/claims/13/")["X-Cache"] == "miss"
    assert client.get("/claims/13/")["X-Cache"] == "hit"
    own_redis.freeze() if fault == "frozen" else own_redis.stop()
    # A reader meanwhile finds the cache away: served from the database, and this process
    # stops asking the cache for a while (so the save cannot tell the cache either).
    assert client.get("/claims/13/").status_code == 200
    claim.summary = "Corrected while the cache was away."
    claim.save()
    own_redis.thaw() if fault == "frozen" else own_redis.start()

    def shows_the_change():
        return b"Corrected while the cache was away." in client.get("/claims/13/").content

    assert after_the_bound(settings, shows_the_change)
    assert client.get("/claims/13/")["X-Cache"] == "hit"  # and cached again


def test_unpublishing_while_the_cache_is_frozen_reaches_the_list(client, settings, own_redis):
    claim = Claim.objects.published().filter(countries__code="SE").first()
    row = f'id="row-{claim.pk}"'.encode()
    assert row in client.get("/claims/?country=se").content
    assert client.get("/claims/?country=se")["X-Cache"] == "hit"
    admin = reviewer_client(client)
    own_redis.freeze()
    assert client.get("/claims/?country=se").status_code == 200
    response = admin.post(
        "/admin/wcit/claim/", {"action": "unpublish", "_selected_action": claim.pk}
    )
    own_redis.thaw()
    assert response.status_code == 302
    assert after_the_bound(settings, lambda: row not in client.get("/claims/?country=se").content)


# Pages while the cache is away ---------------------------------------------------

PAGES = ["/claims/?country=se", "/claims/", "/claims/13/", "/", "/api/claims/?kind=fact"]


@pytest.mark.parametrize("fault", ["frozen", "refusing"])
def test_pages_are_kept_in_process_memory_with_one_log_line_per_outage(
    client, own_redis, caplog, fault
):
    """Issue 21: with Redis refusing, each request logged about 11 warning lines (and with
    Redis frozen each cache access waited its timeout: 11 s for one page). Meanwhile each
    page is built once, then kept in this process's memory."""
    for url in PAGES:
        assert client.get(url).status_code == 200
    own_redis.freeze() if fault == "frozen" else own_redis.stop()
    with caplog.at_level(logging.WARNING):
        seen = []
        for url in PAGES * 3:
            response = client.get(url)
            assert response.status_code == 200
            seen.append(response.get("X-Cache"))
    assert seen == ["miss local"] * len(PAGES) + ["hit local"] * 2 * len(PAGES)
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert warnings[0].getMessage().startswith("Cache unavailable")
    assert not warnings[0].exc_info


@pytest.mark.parametrize("fault", ["frozen", "refusing"])
def test_a_save_during_an_outage_shows_on_the_next_request(client, own_redis, fault):
    """Pages kept in a process's memory while the cache is away are keyed on the version the
    database holds, read by every request: a change shows at once."""
    own_redis.freeze() if fault == "frozen" else own_redis.stop()
    assert client.get("/claims/13/")["X-Cache"] == "miss local"
    assert client.get("/claims/13/")["X-Cache"] == "hit local"
    claim = Claim.objects.get(pk=13)
    claim.summary = "Corrected during the outage."
    claim.save()
    response = client.get("/claims/13/")
    assert response["X-Cache"] == "miss local"
    assert b"Corrected during the outage." in response.content


def test_a_curators_save_succeeds_and_is_versioned_while_the_cache_is_away(own_redis):
    from wcit.models import DataVersion

    before = DataVersion.objects.current()
    own_redis.stop()
    claim = Claim.objects.get(pk=7)
    claim.summary = "Saved while Redis is away."
    claim.save()
    assert Claim.objects.get(pk=7).summary == "Saved while Redis is away."
    assert DataVersion.objects.current() > before


# /healthz ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def healthy_site(tmp_path_factory):
    """gunicorn, two workers, SQLite, and the shared Redis under keys of this run only."""
    if not redis_is_there():
        pytest.skip("needs Redis on 127.0.0.1:6379 (this test starts none)")
    folder = tmp_path_factory.mktemp("healthy")
    prefix = f"wcit-test-{time.time_ns()}"
    env = base_env(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=prepare_sqlite(folder / "db.sqlite3"),
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_CACHE_KEY_PREFIX=prefix,
    )
    server = Server(env, folder / "gunicorn.log", workers=2)
    yield server
    server.stop()
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.mark.parametrize("fault", ["frozen", "refusing"])
def test_healthz_is_200_and_says_so_while_the_cache_is_away(client, own_redis, fault):
    """Issue 21: /healthz answered 503 whenever Redis was down, while every page answered 200."""
    own_redis.freeze() if fault == "frozen" else own_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    error = "TimeoutError" if fault == "frozen" else "ConnectionError"
    assert body["cache"].startswith("unavailable, pages are built from the database: " + error)
    # And so on, without asking the cache again, until the breaker's pause is over.
    assert client.get("/healthz").json()["cache"] == body["cache"]


def test_concurrent_health_probes_all_answer_200(healthy_site):
    """Issue 21: two probes at a time got 263 503s in 1,649, the database and Redis healthy."""
    with ThreadPoolExecutor(max_workers=50) as pool:
        # Each worker's first request imports what the health check needs: get past it.
        list(pool.map(lambda _n: healthy_site.get("/claims/1/"), range(8)))
        answers = list(pool.map(lambda _n: healthy_site.get("/healthz"), range(50)))
    assert [status for status, _headers, _body in answers] == [200] * 50


def test_the_version_outlives_the_cache(client, own_redis, settings):
    """Redis restarted empty: the version is the database's, not a new one (same ETags)."""
    etag = client.get("/claims/13/")["ETag"]
    own_redis.stop()
    shutil.rmtree(own_redis.folder)
    own_redis.folder.mkdir()
    own_redis.start()
    time.sleep(settings.CACHES["default"]["OPTIONS"]["pause"])
    assert client.get("/claims/13/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_pages_kept_in_the_cache_still_answer_while_the_database_is_away(client, settings):
    """The version's copy stands while the database cannot be asked: nothing can change."""
    from django.db import OperationalError, connection

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    settings.DATA_VERSION_SECONDS = 0.5
    assert client.get("/claims/13/").status_code == 200
    time.sleep(0.6)  # the copy is due to be checked against the database again
    with connection.execute_wrapper(refuse):
        assert client.get("/claims/13/")["X-Cache"] == "hit"
        assert client.get("/claims/14/").status_code == 503


def test_a_check_landing_late_does_not_vouch_for_a_copy_that_missed_a_change(own_redis):
    """A write sent to a frozen Redis lands when it thaws. In the fault drill a process's
    check of the version, sent while Redis was frozen, landed after a save whose new version
    never reached Redis: the old copy then counted as checked, and pages showed the old text
    for up to DATA_VERSION_SECONDS after the thaw."""
    from django.core.cache import cache

    from wcit.cache import CHECKED_KEY, data_version
    from wcit.models import DataVersion

    old = data_version()
    new = DataVersion.objects.bump()  # saved while the cache was away: its copy is still old
    cache.set(CHECKED_KEY, new)  # the late check, made by a process that read the database
    assert data_version() == new > old


def test_a_call_to_a_frozen_cache_is_tried_once(own_redis):
    """A frozen Redis costs a request one socket timeout: redis-py does not reconnect and try
    again (each try would open a new connection, which the thawed server then counts)."""
    import redis
    from django.core.cache import cache

    assert cache.get("warm") is None  # the process's connection, opened while it answers
    before = redis.Redis.from_url(own_redis.url).info("stats")["total_connections_received"]
    own_redis.freeze()
    started = time.monotonic()
    assert cache.get("anything") is None
    waited = time.monotonic() - started
    own_redis.thaw()
    after = redis.Redis.from_url(own_redis.url).info("stats")["total_connections_received"]
    assert after - before == 1  # the connection counting them: none from retries
    assert waited < 0.5
