"""deploy/nginx.conf: valid for Debian's nginx, and a page and /healthz answer through it.

Real parts: nginx running the shipped file (ports and paths rewritten for loopback) in front
of one gunicorn serving the corpus from SQLite. Skipped where nginx is not installed
(``apt-get install -y nginx``; CI installs it).
"""

import shutil
import socket
import subprocess
import time

import pytest

from .servers import SECRET, Nginx, Server, base_env, free_port, nginx_conf, prepare_sqlite

pytestmark = pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx")
HEADERS = {"Host": "127.0.0.1"}


def test_the_shipped_conf_is_valid(tmp_path):
    conf = nginx_conf(tmp_path, free_port(), ["127.0.0.1:8001", "127.0.0.1:8002"])
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """(nginx, the one gunicorn behind it, with a single sync worker)."""
    folder = tmp_path_factory.mktemp("proxy")
    env = base_env(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=prepare_sqlite(folder / "db.sqlite3"),
    )
    app = Server(env, folder / "gunicorn.log", workers=1)
    proxy = Nginx([f"127.0.0.1:{app.port}"])
    yield proxy, app
    proxy.stop()
    app.stop()


def test_a_page_and_the_health_check_answer_through_the_proxy(proxied):
    proxy, _app = proxied
    status, headers, body = proxy.get("/countries/se/", HEADERS)
    assert status == 200
    assert headers["Server"] == "nginx"
    assert b"Sweden" in body
    status, _headers, body = proxy.get("/healthz", HEADERS)
    assert status == 200
    assert b'"database": "ok"' in body


def slow_client(port, kind):
    """A connection that has sent part of a request and sends no more."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    if kind == "headers":
        connection.sendall(b"GET /countries/se/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    else:
        connection.sendall(
            b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
            b"username=a"
        )
    return connection


def test_twenty_slow_clients_do_not_stop_the_health_check(proxied):
    """One sync worker behind the proxy: nginx holds the unfinished requests, not it."""
    proxy, _app = proxied
    clients = [slow_client(proxy.port, ("headers", "body")[n % 2]) for n in range(20)]
    try:
        time.sleep(0.5)
        for _ in range(5):
            started = time.monotonic()
            status, _headers, _body = proxy.get("/healthz", HEADERS, timeout=2)
            assert status == 200
            assert time.monotonic() - started < 1
    finally:
        for client in clients:
            client.close()
