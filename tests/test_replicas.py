"""Public reads from a real streaming standby; writes, curators and a client that just wrote
from the primary; a lagging, stopped or frozen standby skipped (``wcit.replicas``).

The session's primary and standby (``tests/standby.py``) hold the corpus; gunicorn with two
workers serves the site from them, with a Redis of its own. Which database answered a page
is seen in the page itself: the tests change a claim's summary on the primary alone, with
the standby's replay paused and the data version left as it was (no save through the site
does that: every save replaces the version), so the standby still shows the old summary.
"""

import html
import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

import pytest
import redis
from django.db import connections, transaction
from django.test import RequestFactory

from wcit import replicas
from wcit.models import Claim, DataVersion
from wcit.replicas import ReplicaRouter, may_read_replica

from .servers import ROOT, SECRET, RedisServer, Server, base_env, manage

# DATABASE_REPLICA_MAX_LAG of the site under test: a page's first query, when the replica is
# checked, must come well within it on a busy machine.
MAX_LAG = 4
PAUSE = 5  # DATABASE_REPLICA_PAUSE
STICKY = 15  # DATABASE_REPLICA_STICKY_SECONDS
PASSWORD = "replica-test-pass-9"


def configured(**env):
    """The database settings the site starts with under ``env``, or its start-up error."""
    code = (
        "import json; from django.conf import settings; print(json.dumps(["
        "{a: {'host': c.get('HOST'), 'port': c.get('PORT'), 'test': c.get('TEST'),"
        " 'options': c.get('OPTIONS')} for a, c in settings.DATABASES.items()},"
        " getattr(settings, 'DATABASE_ROUTERS', []), settings.MIDDLEWARE]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=base_env(DJANGO_DEBUG="1", DJANGO_SECRET_KEY=SECRET, **env),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout) if result.returncode == 0 else result.stderr


def test_without_replica_urls_there_is_one_database_and_no_router():
    databases, routers, middleware = configured(DATABASE_URL="postgres://p@db.internal/wcit")
    assert list(databases) == ["default"]
    assert routers == []
    assert "wcit.replicas.ReplicaMiddleware" not in middleware


def test_replica_urls_add_replica_aliases_the_router_and_its_middleware():
    databases, routers, middleware = configured(
        DATABASE_URL="postgres://p@db.internal/wcit",
        DATABASE_REPLICA_URLS="postgres://p@r1.internal/wcit, postgres://p@r2.internal:5433/wcit",
    )
    assert list(databases) == ["default", "replica1", "replica2"]
    assert (databases["replica2"]["host"], databases["replica2"]["port"]) == ("r2.internal", 5433)
    assert databases["replica1"]["options"]["connect_timeout"] == 1
    assert databases["replica1"]["test"] == {"MIRROR": "default"}  # no test database of its own
    assert routers == ["wcit.replicas.ReplicaRouter"]
    # Around the page cache, which pins the version the replica is measured by.
    assert middleware.index("wcit.replicas.ReplicaMiddleware") + 1 == middleware.index(
        "wcit.cache.PageCacheMiddleware"
    )


def test_replicas_need_a_postgresql_primary():
    error = configured(DATABASE_REPLICA_URLS="postgres://p@r1.internal/wcit")
    assert "DATABASE_REPLICA_URLS needs DATABASE_URL to name the PostgreSQL primary" in error


@pytest.mark.parametrize(
    ("method", "path", "cookies", "expected"),
    [
        ("get", "/claims/", {}, True),
        ("head", "/countries/se/", {"csrftoken": "x"}, True),
        ("post", "/claims/", {}, False),
        ("get", "/admin/login/", {}, False),
        ("get", "/healthz", {}, False),
        ("get", "/claims/", {"sessionid": "x"}, False),
        ("get", "/claims/", {"wcit_wrote": "1"}, False),
    ],
)
def test_only_public_reads_may_use_a_replica(method, path, cookies, expected):
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    assert may_read_replica(request) is expected


def test_the_router_writes_and_migrates_the_primary_and_reads_the_version_there():
    router = ReplicaRouter()
    assert router.db_for_write(Claim) == "default"
    assert router.db_for_read(Claim) == "default"  # outside a public read request
    assert router.db_for_read(DataVersion) == "default"
    assert router.allow_migrate("replica1", "wcit") is False
    assert router.allow_migrate("default", "wcit") is True


@pytest.fixture
def chose_replica():
    """A public read request that has chosen ``replica1`` (no query made)."""
    choice = replicas._Choice()
    choice.alias = "replica1"
    token = replicas._reads.set(choice)
    yield
    replicas._reads.reset(token)


def test_a_public_read_reads_the_replica_it_chose(chose_replica):
    assert ReplicaRouter().db_for_read(Claim) == "replica1"
    assert ReplicaRouter().db_for_read(DataVersion) == "default"


def test_a_transaction_opened_on_the_primary_reads_the_primary(chose_replica, db):
    """The corpus download reads in one snapshot transaction on the primary."""
    with transaction.atomic():
        assert ReplicaRouter().db_for_read(Claim) == "default"


@pytest.fixture
def second_connection(settings, transactional_db):
    """The test database read through a second alias, ``replica1``, as a replica is, with
    the router and the middleware in place: the same rows and no lag (PostgreSQL only)."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("a replica is PostgreSQL's")
    primary = connections["default"]
    replica = primary.__class__({**primary.settings_dict}, alias="replica1")
    connections["replica1"] = replica
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Django warns of any DATABASES override
        settings.DATABASES = {**settings.DATABASES, "replica1": replica.settings_dict}
    settings.DATABASE_ROUTERS = ["wcit.replicas.ReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("wcit.cache.PageCacheMiddleware"), "wcit.replicas.ReplicaMiddleware"
    )
    settings.MIDDLEWARE = middleware
    yield replica
    replica.close()
    del connections["replica1"]
    replicas._breakers.pop("replica1", None)


def test_a_replica_failing_mid_page_costs_the_reader_nothing(second_connection, client, caplog):
    """The replica passes its check, then its connection is cut under the page's first
    query (a stopped or restarted standby, a query its replay cancels): the page comes from
    the primary, not a 503, and the replica is set aside."""
    cut = []

    def cut_once(execute, sql, params, many, context):
        if not cut:
            cut.append(second_connection.connection.info.backend_pid)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [cut[0]])
        return execute(sql, params, many, context)

    with second_connection.execute_wrapper(cut_once):
        response = client.get("/claims/")
    assert cut, "the page never read the replica"
    assert response.status_code == 200
    assert replicas.breaker("replica1").error is not None
    assert "Replica replica1 unavailable, reading from the primary" in caplog.text
    # Set aside: the next page reads the primary alone.
    read = []

    def count(execute, sql, params, many, context):
        read.append(sql)
        return execute(sql, params, many, context)

    with second_connection.execute_wrapper(count):
        assert client.get("/claims/?sort=date").status_code == 200
    assert read == []


class Site:
    """The site under test, its Redis and its databases, with what the tests do to them."""

    def __init__(self, server, redis_server, pair, log_path):
        self.server = server
        self.redis = redis.Redis.from_url(redis_server.url)
        self.pair = pair
        self.log_path = log_path
        self.tripped_at = None
        with pair.connect(pair.primary_port) as primary:
            self.claims = [
                row[0]
                for row in primary.execute(
                    "SELECT id FROM wcit_claim WHERE status = 'published' ORDER BY id LIMIT 20"
                )
            ]
        self.changes = 0

    def get(self, path, cookies=None, opener=None):
        """(status, headers, body text, seconds) of a GET."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
        request = urllib.request.Request(self.server.url + path, headers=headers)
        started = time.monotonic()
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
                status, answer, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer, body = error.code, error.headers, error.read()
        return status, answer, html.unescape(body.decode()), time.monotonic() - started

    def flush(self):
        """Empty the page cache and the version's copy: the next page is rendered afresh."""
        self.redis.flushdb()

    def summary(self, claim, port):
        with self.pair.connect(port) as connection:
            return connection.execute(
                "SELECT summary FROM wcit_claim WHERE id = %s", [claim]
            ).fetchone()[0]

    def change_on_primary_only(self, claim, bump=False):
        """Pause the standby's replay just after a commit it has replayed (so it lags by
        nothing yet), then change ``claim``'s summary on the primary, replacing the data
        version only if ``bump``. Returns (old summary, new summary)."""
        pair = self.pair
        pair.resume_replay()
        pair.heartbeat()
        pair.wait_for_replay()
        pair.pause_replay()
        self.changes += 1
        old = self.summary(claim, pair.primary_port)
        new = f"Replica probe {self.changes}: changed on the primary only"
        with pair.connect(pair.primary_port) as primary, primary.transaction():
            primary.execute("UPDATE wcit_claim SET summary = %s WHERE id = %s", [new, claim])
            if bump:
                primary.execute("UPDATE wcit_dataversion SET version = version + 1000000")
        self.flush()
        return old, new

    def answered_by(self, claim, old, new, **kwargs):
        """ "replica" or "primary": which summary the claim's page shows."""
        status, _, body, _ = self.get(f"/claims/{claim}/", **kwargs)
        assert status == 200
        assert (old in body) != (new in body), "the page shows neither summary, or both"
        return "replica" if old in body else "primary"

    def log(self):
        return self.log_path.read_text()

    def tripped(self):
        """Note that a worker's breaker was tripped now: the next test waits it out."""
        self.tripped_at = time.monotonic()

    def ready(self):
        """The standby running, replaying, caught up, and every breaker closed again."""
        pair = self.pair
        pair.thaw_replica()
        if not (pair.replica_dir / "postmaster.pid").exists():
            pair.start_replica()
        pair.resume_replay()
        pair.wait_for_replay()
        if self.tripped_at is not None:
            time.sleep(max(0, self.tripped_at + PAUSE + 0.5 - time.monotonic()))
            self.tripped_at = None
        self.flush()


@pytest.fixture(scope="module")
def site(standby, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    primary_env = base_env(DJANGO_DEBUG="1", DATABASE_URL=standby.primary_url)
    manage(primary_env, "migrate", "--verbosity", "0")
    manage(primary_env, "load_corpus", "--verbosity", "0")
    manage(
        {**primary_env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        *("createsuperuser", "--noinput", "--username", "curator", "--email", "c@example.org"),
    )
    redis_server = RedisServer(folder)
    env = base_env(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=standby.primary_url,
        DATABASE_REPLICA_URLS=standby.replica_url,
        REDIS_URL=redis_server.url,
        DATABASE_REPLICA_MAX_LAG=str(MAX_LAG),
        DATABASE_REPLICA_PAUSE=str(PAUSE),
        DATABASE_REPLICA_STICKY_SECONDS=str(STICKY),
    )
    log_path = folder / "gunicorn.log"
    server = Server(env, log_path, workers=2)
    site = Site(server, redis_server, standby, log_path)
    # Each worker's first pages import and compile what later ones reuse: seconds, here.
    for path in ("/", "/claims/", f"/claims/{site.claims[0]}/", "/countries/se/") * 2:
        site.flush()
        site.get(path)
    yield site
    server.stop()
    redis_server.stop()


@pytest.fixture
def replica(site):
    """The site with its standby healthy and in use; left healthy afterwards."""
    site.ready()
    yield site
    site.ready()


def test_public_reads_come_from_the_replica_and_sessions_and_writers_from_the_primary(replica):
    claim = replica.claims[0]
    old, new = replica.change_on_primary_only(claim)
    assert replica.answered_by(claim, old, new) == "replica"
    # Anyone with a session may be a signed-in curator.
    assert replica.answered_by(claim, old, new, cookies={"sessionid": "x"}) == "primary"
    replica.flush()
    # A client that wrote in the last few seconds reads its write back.
    assert replica.answered_by(claim, old, new, cookies={"wcit_wrote": "1"}) == "primary"
    replica.flush()
    assert replica.answered_by(claim, old, new) == "replica"


def test_a_streamed_download_reads_its_rows_from_the_replica(replica):
    """The CSV's rows are read as it is sent, after the middleware has returned."""
    claim = replica.claims[6]
    old, new = replica.change_on_primary_only(claim)
    status, headers, body, _ = replica.get("/claims.csv")
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    assert old in body
    assert new not in body
    status, _, body, _ = replica.get("/claims.csv", cookies={"wcit_wrote": "1"})
    assert new in body


def test_a_curator_signs_in_on_the_primary_and_reads_it_until_the_write_cookie_expires(replica):
    claim = replica.claims[1]
    old, new = replica.change_on_primary_only(claim)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    status, _, body, _ = replica.get("/admin/login/", opener=browser)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "curator", "password": PASSWORD}
    )
    # Signing in writes the session row: on a read-only standby it could not be saved.
    with browser.open(replica.server.url + "/admin/login/", data=form.encode(), timeout=30) as r:
        assert r.url.endswith("/admin/")
    cookies = {cookie.name: cookie for cookie in jar}
    assert "sessionid" in cookies
    assert 0 < cookies["wcit_wrote"].expires - time.time() <= STICKY

    # The admin reads the primary.
    status, _, body, _ = replica.get(f"/admin/wcit/claim/{claim}/change/", opener=browser)
    assert status == 200
    assert new in body

    # Signed out (a write too), the client still reads the primary while the cookie lasts...
    status, _, body, _ = replica.get("/admin/", opener=browser)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    with browser.open(replica.server.url + "/admin/logout/", data=form, timeout=30) as r:
        assert r.status == 200
    assert "sessionid" not in {cookie.name for cookie in jar}
    assert replica.answered_by(claim, old, new, opener=browser) == "primary"
    # ... and the replica once it has expired.
    wrote = next(cookie for cookie in jar if cookie.name == "wcit_wrote")
    jar.clear(wrote.domain, wrote.path, wrote.name)
    replica.flush()
    assert replica.answered_by(claim, old, new, opener=browser) == "replica"


def test_a_replica_behind_the_data_version_serves_no_page_of_that_version(replica):
    claim = replica.claims[2]
    old, new = replica.change_on_primary_only(claim, bump=True)
    pair = replica.pair
    with pair.connect(pair.replica_port) as standby, pair.connect(pair.primary_port) as primary:
        version = "SELECT version FROM wcit_dataversion"
        assert standby.execute(version).fetchone()[0] < primary.execute(version).fetchone()[0]

    first = replica.get(f"/claims/{claim}/")
    again = replica.get(f"/claims/{claim}/")
    assert first[1]["X-Cache"] == "miss"
    assert again[1]["X-Cache"] == "hit"
    for status, _, body, _ in (first, again):
        assert status == 200
        assert new in body
        assert old not in body
    # It was the version that kept the standby out, not the lag bound.
    assert "behind the primary" not in replica.log()

    # Caught up, the standby is used again, and the page stored from the primary stands.
    pair.resume_replay()
    pair.wait_for_replay()
    status, headers, body, _ = replica.get(f"/claims/{claim}/")
    assert headers["X-Cache"] == "hit"
    assert new in body


def test_a_replica_lagging_beyond_the_bound_is_skipped(replica):
    claim = replica.claims[3]
    old, new = replica.change_on_primary_only(claim)
    assert replica.answered_by(claim, old, new) == "replica"
    time.sleep(MAX_LAG + 0.5)
    replica.flush()
    assert replica.answered_by(claim, old, new) == "primary"
    assert f"behind the primary (bound {MAX_LAG} s)" in replica.log()
    # Caught up, it is read again at once: lagging is no outage to pause for.
    replica.pair.resume_replay()
    replica.pair.wait_for_replay()
    old, new = replica.change_on_primary_only(claim)
    assert replica.answered_by(claim, old, new) == "replica"


def test_a_stopped_replica_is_skipped_at_once(replica):
    claim = replica.claims[4]
    timings = []
    for _ in range(4):
        replica.flush()
        timings.append(replica.get(f"/claims/{claim}/")[3])
    replica.pair.stop_replica()
    replica.tripped()
    stopped = []
    for _ in range(6):
        replica.flush()
        status, _, body, seconds = replica.get(f"/claims/{claim}/")
        assert status == 200
        stopped.append(seconds)
    print(
        f"\nclaim page rendered, standby up: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms;"
        f" standby stopped: {', '.join(f'{t * 1000:.0f}' for t in stopped)} ms"
    )
    assert max(stopped) < 2
    assert "Replica replica1 unavailable, reading from the primary" in replica.log()


def test_a_frozen_replica_costs_each_process_one_wait(replica):
    """A frozen standby accepts and never answers: each worker waits on it once (the check's
    deadline, or psycopg's 2 s connect timeout), then reads the primary while its breaker
    pauses. Without the breaker every request would wait."""
    claim = replica.claims[5]
    replica.pair.freeze_replica()
    replica.tripped()
    timings = []
    try:
        for _ in range(8):
            replica.flush()
            status, _, _, seconds = replica.get(f"/claims/{claim}/")
            assert status == 200
            timings.append(seconds)
    finally:
        replica.pair.thaw_replica()
    print(f"\nstandby frozen: {', '.join(f'{t * 1000:.0f}' for t in timings)} ms")
    slow = [seconds for seconds in timings if seconds > 0.9]
    assert len(slow) <= 2  # one per worker
    assert max(timings) < 3.5
