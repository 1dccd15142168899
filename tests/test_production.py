"""The production path: debug off by default, deploy checks, static manifest, headers, gunicorn."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from .servers import ROOT, SECRET, RedisServer, Server, base_env, manage, prepare_sqlite

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "wcit.example,127.0.0.1",
}


def run_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        env=base_env(**env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_is_off_unless_asked_for():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_DEBUG"}
    result = run_python("from django.conf import settings; print(settings.DEBUG)", **env)
    assert result.stdout.strip() == "False", result.stderr


def test_without_any_settings_start_up_says_what_to_set():
    result = run_python("import django; django.setup()", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert "DJANGO_DEBUG=1" in result.stderr


def check_deploy(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=base_env(**{**PRODUCTION, **env}),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_warning_free_with_the_documented_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env, warning",
    [
        ({"DJANGO_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
)
def test_check_deploy_warns_when_a_proxy_setting_is_turned_off(env, warning):
    result = check_deploy(**env)
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


@pytest.mark.parametrize(
    "options, warned",
    [
        ((), True),
        (("--maxmemory", "64mb", "--maxmemory-policy", "noeviction"), True),
        (("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"), False),
    ],
)
def test_check_deploy_warns_when_redis_cannot_evict(tmp_path, options, warned):
    """Issue 21: whatever the traffic, the page cache's memory must be bounded: by Redis."""
    server = RedisServer(tmp_path, *options)
    try:
        result = check_deploy(REDIS_URL=server.url)
    finally:
        server.stop()
    assert ("wcit.W001" in result.stdout + result.stderr) == warned, result.stdout + result.stderr


def test_start_up_fails_clearly_without_the_static_manifest(tmp_path):
    result = run_python("import wcit.wsgi", DJANGO_STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode != 0
    assert "No static files manifest" in result.stderr
    assert "collectstatic" in result.stderr


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    manage(
        base_env(**PRODUCTION, DJANGO_STATIC_ROOT=str(root)),
        "collectstatic",
        "--noinput",
        "--verbosity",
        "0",
    )
    return root


def test_start_up_succeeds_after_collectstatic(static_root):
    result = run_python("import wcit.wsgi", DJANGO_STATIC_ROOT=str(static_root), **PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def production_server(tmp_path_factory, static_root):
    """gunicorn with debug off, as `make serve` runs it, on its own SQLite database."""
    folder = tmp_path_factory.mktemp("production")
    database_url = prepare_sqlite(folder / "db.sqlite3")
    env = base_env(**PRODUCTION, DATABASE_URL=database_url, DJANGO_STATIC_ROOT=str(static_root))
    server = Server(env, folder / "gunicorn.log")
    yield server
    server.stop()


HTTPS = {"Host": "wcit.example", "X-Forwarded-Proto": "https"}


def test_gunicorn_serves_pages_with_debug_off(production_server):
    status, headers, body = production_server.get("/claims/?country=se", HTTPS)
    assert status == 200
    soup = BeautifulSoup(body, "html.parser")
    assert "claim-list" in soup.body["class"]
    stylesheet = soup.select_one('link[rel="stylesheet"]')["href"]
    assert re.fullmatch(r"/static/wcit/site\.[0-9a-f]{12}\.css", stylesheet)
    status, headers, _body = production_server.get(stylesheet, HTTPS)
    assert status == 200
    assert "immutable" in headers["Cache-Control"]


def test_static_files_carry_the_security_headers(production_server):
    """WhiteNoise answers static files itself: only if it runs after SecurityMiddleware do
    they carry its headers."""
    status, _headers, body = production_server.get("/claims/", HTTPS)
    stylesheet = BeautifulSoup(body, "html.parser").select_one('link[rel="stylesheet"]')["href"]
    status, headers, _body = production_server.get(stylesheet, HTTPS)
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Referrer-Policy"] == "same-origin"


def test_gunicorn_errors_are_branded_pages_without_debug_details(production_server):
    status, _headers, body = production_server.get("/countries/zz/", HTTPS)
    assert status == 404
    assert b"URLconf" not in body and b"Traceback" not in body
    assert "not-found" in BeautifulSoup(body, "html.parser").body["class"]


def test_plain_http_is_redirected_to_https_but_healthz_is_not(production_server):
    status, headers, _body = production_server.get("/claims/", {"Host": "wcit.example"})
    assert status == 301
    assert headers["Location"] == "https://wcit.example/claims/"
    status, _headers, _body = production_server.get("/healthz", {"Host": "wcit.example"})
    assert status == 200


@pytest.mark.parametrize("proto", ["https", "http"])
@pytest.mark.parametrize("path", ["/", "/claims/?country=se", "/api/claims/", "/healthz"])
def test_an_unknown_host_is_a_400_with_one_log_line(production_server, path, proto):
    """Issue 21: `curl -H 'Host: evil.example'` was a 500 with a traceback in the log. Over
    plain http the https redirect asks for the host first; over https the page does."""
    log = Path(production_server.log.name)
    before = log.stat().st_size
    headers = {"Host": "evil.example", "X-Forwarded-Proto": proto}
    status, _headers, body = production_server.get(path, headers)
    assert status == 400
    assert b"Traceback" not in body
    with log.open() as lines:
        lines.seek(before)
        written = lines.read()
    assert "Traceback" not in written
    assert len(written.splitlines()) <= 1, written


def test_security_headers_in_production(production_server):
    _status, headers, _body = production_server.get("/", HTTPS)
    assert headers["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


PUBLIC_PAGES = [
    "/",
    "/countries/",
    "/countries/us/",
    "/clauses/",
    "/clauses/5b/",
    "/sources/",
    "/sources/what-really-happened-in-dubai/",
    "/speakers/",
    "/speakers/milton-mueller/",
    "/claims/",
    "/claims/1/",
    "/search/?q=sanctions",
    "/api/docs",
    "/admin/login/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_csp_without_unsafe_inline_and_pages_that_need_none(client, url):
    for _ in range(2):  # built, then answered from the page cache
        response = client.get(url)
        assert response.status_code == 200
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
    soup = BeautifulSoup(response.content, "html.parser")
    assert not soup.find_all("style")
    assert not soup.find_all(style=True)
    for script in soup.find_all("script"):
        assert script.get("src") or script.get("type") in (
            "application/ld+json",
            "application/json",
        )
    for tag in soup.find_all(True):
        assert not [name for name in tag.attrs if name.startswith("on")], tag.name


def test_templates_hold_no_inline_style_or_script():
    templates = list(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    assert templates
    for template in templates:
        # Template tags are not markup: `{% blocktranslate with style=... %}` names a variable.
        text = re.sub(r"{%.*?%}", "", template.read_text(), flags=re.S)
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template
        for script in re.findall(r"<script[^>]*>", text):
            assert "src=" in script or "application/ld+json" in script, template


def test_gunicorn_is_a_dependency():
    import gunicorn

    assert gunicorn.__version__
