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
