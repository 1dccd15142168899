"""The site's settings plus the benchmarks' own views (bench/urls.py) and templates."""

from wcit.settings import *  # noqa: F403
from wcit.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [BASE_DIR / "bench" / "templates", *TEMPLATES[0]["DIRS"]]
