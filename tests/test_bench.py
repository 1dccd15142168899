"""The benchmarks' own settings still start: ``bench/load.py`` serves the site with them.

Not a benchmark: a change to the site's URLconf or settings that the benchmarks' settings
cannot follow (``i18n_patterns``, which Django refuses inside ``include()``, once stopped
``bench/load.py`` at its first ``migrate``) fails here, not in the next measuring session.
"""

import subprocess
import sys

from .servers import ROOT, SECRET, base_env

CODE = """
import io
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("check", stdout=io.StringIO())
client = Client(HTTP_HOST="127.0.0.1")
for path in ("/bench/trivial", "/bench/claims/", "/", "/fr/"):
    print(path, client.get(path).status_code)
"""


def test_the_benchmarks_settings_serve_their_views_and_the_site(tmp_path):
    env = base_env(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    )
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = subprocess.run(
        [sys.executable, "-c", CODE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [
        "/bench/trivial",
        "200",
        "/bench/claims/",
        "200",
        "/",
        "200",
        "/fr/",
        "200",
    ]
