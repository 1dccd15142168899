import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def run_with_env(**env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "wcit.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_production_without_secret_key_fails_loudly():
    result = run_with_env(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_with_secret_key_starts():
    result = run_with_env(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 50, DJANGO_ALLOWED_HOSTS="wcit.example"
    )
    assert result.returncode == 0, result.stderr


def test_whitenoise_follows_security_middleware():
    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == (
        middleware.index("django.middleware.security.SecurityMiddleware") + 1
    )


def test_migrations_are_complete():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "env, expected",
    [({}, "True 5"), ({"DJANGO_DB_PREPARE_THRESHOLD": "0"}, "None None")],
)
def test_postgresql_statements_are_prepared_unless_turned_off(env, expected):
    code = (
        "from django.conf import settings; options = settings.DATABASES['default']['OPTIONS']; "
        "print(options.get('server_side_binding'), options.get('prepare_threshold'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "wcit.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": "postgres://wcit@127.0.0.1:5432/wcit",
            **env,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == expected, result.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_a_statement_the_connection_runs_again_is_prepared():
    from wcit.models import Claim

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    for pk in range(1, 8):
        list(Claim.objects.filter(pk=pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "wcit_claim"' in statement for statement in prepared), prepared
