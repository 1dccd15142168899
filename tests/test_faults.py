"""Database faults: a 503 with Retry-After in the site's layout, one log line, /healthz."""

import logging
import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import OperationalError, connection

from wcit.middleware import server_error

pytestmark = pytest.mark.django_db


def refuse(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_down():
    """Every query fails as it does when the database goes away mid-request."""
    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.parametrize(
    "url", ["/", "/claims/", "/claims/?country=se", "/countries/se/", "/search/?q=spam"]
)
def test_database_error_is_a_503_in_the_site_layout(client, database_down, url, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    soup = BeautifulSoup(response.content, "html.parser")
    assert "unavailable" in soup.body["class"]
    assert soup.select_one("header.site-header a.site-name")
    assert f"{settings.RETRY_AFTER} seconds" in soup.main.get_text()
    # One line, no traceback: a fault under load must not flood the log.
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1
    assert records[0].name == "wcit.faults"
    assert records[0].exc_info is None
    assert "OperationalError" in records[0].getMessage()


def test_api_database_error_is_a_503_in_the_api_error_shape(client, database_down):
    response = client.get("/api/claims/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.RETRY_AFTER)
    assert set(response.json()) == {"detail"}


MID_REQUEST_URLS = [
    "/claims/?country=se",
    "/countries/se/",
    "/search/?q=sanctions",
    "/claims.json?kind=fact",
    "/api/claims/?kind=fact",
    "/api/clauses/",
    "/api/relations/",
    "/api/disputes/",
    "/api/countries/se/",
]


@pytest.mark.parametrize("url", MID_REQUEST_URLS)
def test_a_database_lost_mid_request_is_a_503_at_every_query(settings, url):
    """Whichever query the database goes away at, the answer is a 503, never a 500.

    The API once read its rows while ninja validated the response: pydantic turned
    the database error into invalid output, a 500 (seen in ``make bench-faults``).
    """
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def get():
        # Cold: no facet counts, choices or counts kept from an earlier request.
        cache.clear()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    settings.PAGE_CACHE = False
    client = Client(raise_request_exception=False)
    with CaptureQueriesContext(connection) as context:
        assert get().status_code == 200
    queries = len(context.captured_queries)
    assert queries
    for lost_at in range(1, queries + 1):
        count = iter(range(1, 10_000))

        def lose(execute, sql, params, many, context, lost_at=lost_at, count=count):
            if next(count) >= lost_at:
                raise OperationalError("server closed the connection unexpectedly")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(lose):
            try:
                status = get().status_code
            except OperationalError:
                # A download's rows are read as it streams, after the status was sent:
                # the connection breaks off; no 500 page is sent.
                assert url.startswith("/claims.json")
                continue
        assert status == 503, f"database lost at query {lost_at} of {queries}"


def test_site_answers_again_once_the_database_returns(client):
    with connection.execute_wrapper(refuse):
        assert client.get("/claims/").status_code == 503
    assert client.get("/claims/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ends a PostgreSQL backend")
def test_a_kept_connection_that_broke_while_idle_is_replaced_without_restart():
    """A process keeps its connection between requests (DJANGO_CONN_MAX_AGE); when the server
    ends it meanwhile (a restart, a failover, an idle timeout), the next request checks it,
    finds it broken and connects again, instead of failing on it."""
    from urllib.parse import urlparse, urlunparse

    # Through the WSGI handler, as a server calls it: the test client skips the check that
    # each request starts with.
    code = (
        "import io, os, psycopg\n"
        "from django.core.wsgi import get_wsgi_application\n"
        "from django.db import connection\n"
        "application = get_wsgi_application()\n"
        "def get():\n"
        "    environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/healthz',\n"
        "               'HTTP_HOST': 'localhost', 'SERVER_NAME': 'localhost',\n"
        "               'SERVER_PORT': '80', 'wsgi.input': io.BytesIO(),\n"
        "               'wsgi.url_scheme': 'http'}\n"
        "    status = []\n"
        "    body = application(environ, lambda s, h: status.append(s))\n"
        "    b''.join(body); body.close()\n"
        "    print(status[0].split()[0])\n"
        "get()\n"
        "pid = connection.connection.info.backend_pid\n"
        "with psycopg.connect(os.environ['ADMIN_URL'], autocommit=True) as admin:\n"
        "    admin.execute('SELECT pg_terminate_backend(%s)', [pid])\n"
        "get()\n"
    )
    url = urlparse(os.environ["DATABASE_URL"])
    test_database = urlunparse(url._replace(path=f"/{connection.settings_dict['NAME']}"))
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wcit.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_CONN_MAX_AGE": "60",
            "DATABASE_URL": test_database,
            "ADMIN_URL": test_database,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["200", "200"], result.stdout + result.stderr


def test_500_and_503_pages_render_without_the_database(rf, django_assert_num_queries):
    request = rf.get("/claims/")
    with django_assert_num_queries(0):
        try:
            raise ValueError("a bug")
        except ValueError:
            response = server_error(request)
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert "server-error" in soup.body["class"]
    assert soup.select_one("header.site-header")
    with django_assert_num_queries(0):
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            response = server_error(request)
    assert response.status_code == 503
    assert "unavailable" in BeautifulSoup(response.content, "html.parser").body["class"]


def test_healthz_is_200_when_all_is_well(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"].startswith("OperationalError")
    assert body["cache"] == "ok"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement timeout")
def test_statement_timeout_is_set_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_STATEMENT_TIMEOUT // 1000}s"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement timeout")
def test_a_statement_that_runs_too_long_is_a_503(client):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")

    def slow(execute, sql, params, many, context):
        return execute("SELECT pg_sleep(2)", None, many, context)

    with connection.execute_wrapper(slow):
        response = client.get("/claims/")
    assert response.status_code == 503


def run_page_with_database(database_url, extra_env=None):
    """GET /claims/ in a fresh process whose database is ``database_url``."""
    code = (
        "import django, time; django.setup()\n"
        "from django.test import Client\n"
        "start = time.monotonic()\n"
        "r = Client().get('/claims/', HTTP_HOST='localhost')\n"
        "print(r.status_code, r.get('Retry-After'), round(time.monotonic() - start, 1))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wcit.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "database_url",
    [
        # Nothing listens on port 9 (discard) here: the connection is refused.
        "postgres://postgres@127.0.0.1:9/wcit",
        "sqlite:////nonexistent-directory/db.sqlite3",
    ],
)
def test_unreachable_database_is_a_503_logged_in_one_line(database_url):
    result = run_page_with_database(database_url)
    status, retry_after, _seconds = result.stdout.split()
    assert (status, retry_after) == ("503", str(settings.RETRY_AFTER))
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Database unavailable, answered 503: GET /claims/")


def test_a_database_that_never_answers_is_a_503_within_the_connect_timeout():
    """A server that accepts the connection and then says nothing (frozen, overloaded)."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        result = run_page_with_database(
            f"postgres://postgres@127.0.0.1:{port}/wcit", {"DJANGO_DB_CONNECT_TIMEOUT": "2"}
        )
    status, _retry_after, seconds = result.stdout.split()
    assert status == "503", result.stderr
    assert 1.5 <= float(seconds) < 10


def separate_connection():
    """A connection of its own to the test database, so that breaking it breaks no test."""
    from django.db import connections
    from django.db.utils import load_backend

    settings_dict = {**connections["default"].settings_dict}
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias="watchdog-test")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="guards PostgreSQL connections")
@pytest.mark.parametrize("slack, fails", [(1, True), (0, False)])
def test_watchdog_ends_a_query_its_server_never_answers(settings, slack, fails):
    """pg_sleep with no statement timeout stands in for a frozen server: nothing cancels it."""
    import time

    settings.DB_STATEMENT_TIMEOUT = 0
    settings.DB_WATCHDOG_SLACK = slack
    other = separate_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            started = time.monotonic()
            if fails:
                with pytest.raises(OperationalError):
                    cursor.execute("SELECT pg_sleep(4)")
                assert time.monotonic() - started < 3
            else:
                cursor.execute("SELECT pg_sleep(1.5)")
                assert time.monotonic() - started >= 1.5
    finally:
        other.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="guards PostgreSQL connections")
def test_watchdog_guards_the_health_check_too(settings):
    """Django's health check bypasses execute wrappers: it is where a frozen server hangs."""
    import time

    settings.DB_CONNECT_TIMEOUT = 1
    other = separate_connection()
    try:
        other.ensure_connection()
        assert other.is_usable.guarded
        raw_cursor = other.connection.cursor

        class Unanswered:
            """The server's answer to the health check never comes."""

            def __enter__(self):
                self.cursor = raw_cursor()
                return self

            def __exit__(self, *exc):
                self.cursor.close()

            def execute(self, sql):
                return self.cursor.execute("SELECT pg_sleep(4)")

        other.connection.cursor = Unanswered
        started = time.monotonic()
        assert other.is_usable() is False
        assert time.monotonic() - started < 3
    finally:
        other.close()
