import os
import subprocess
import sys

from django.conf import settings


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


def test_migrations_are_complete():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_empty_database_url_stops_start_up_with_a_clear_message():
    """Issue 21: ``DATABASE_URL=`` (set but empty) crashed start-up with ``KeyError: 'ENGINE'``.
    Set but empty is more likely a secret that failed to arrive than a wish for the SQLite
    file in the checkout: say so rather than serve an empty site from a file nobody backs up."""
    result = run_with_env(DJANGO_DEBUG="1", DATABASE_URL="")
    assert result.returncode != 0
    assert "KeyError" not in result.stderr
    assert "DATABASE_URL is set but empty" in result.stderr
