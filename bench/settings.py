"""The site's settings plus one trivial view, the benchmarks' yardstick."""

from wcit.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
