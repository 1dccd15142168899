"""What the read-replica router (wcit/replicas.py) adds to a public request, measured.

Starts a PostgreSQL primary and a streaming standby of its own (tests/standby.py), loads the
corpus into the primary, then, in this process, with DATABASE_URL naming the primary and
DATABASE_REPLICA_URLS the standby:

- the router's check (the standby's data version and lag, one query) timed over many calls,
  beside a bare ``SELECT 1`` on the same connection;
- for a few pages, the queries each database answers when the page is rendered and when it
  comes from the page cache (the check, on psycopg's own cursor, is counted apart: Django's
  query log does not see it).

    .venv/bin/python bench/replicas.py [--calls 2000]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import base_env, manage  # noqa: E402
from tests.standby import Standby  # noqa: E402

PAGES = ["/", "/claims/?country=se", "/countries/se/", "/clauses/5b/", "/disputes/"]


def timed(function, calls):
    """Median and 99th percentile, in microseconds, of ``calls`` calls of ``function``."""
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def measure(pair, calls):
    import django
    from django.core.cache import cache
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django.setup()
    from wcit import replicas

    def check():
        replicas.replica_state("replica1")

    def select_one():
        with connections["replica1"].connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    connections["replica1"].ensure_connection()
    for name, function in (("the router's check", check), ("SELECT 1", select_one)):
        median, p99 = timed(function, calls)
        print(f"{name:<20} median {median:6.0f} µs   p99 {p99:6.0f} µs   ({calls} calls)")

    client = Client()
    with pair.connect(pair.primary_port) as primary:
        claim = primary.execute(
            "SELECT id FROM wcit_claim WHERE status = 'published' ORDER BY id LIMIT 1"
        ).fetchone()[0]
    print("\n| page | rendered: primary, replica (+1 check) | from the page cache |")
    print("| --- | --- | --- |")
    for path in [*PAGES, f"/claims/{claim}/"]:
        client.get(path)  # warm: imports, templates
        counts = []
        for fresh in (True, False):
            if fresh:
                cache.clear()
            with (
                CaptureQueriesContext(connections["default"]) as on_primary,
                CaptureQueriesContext(connections["replica1"]) as on_replica,
            ):
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            counts.append((len(on_primary), len(on_replica), response.get("X-Cache")))
        (p, r, _), (hp, hr, hit) = counts
        print(f"| `{path}` | {p}, {r} | {hp}, {hr} ({hit}) |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    arguments = parser.parse_args()
    started = time.monotonic()
    with Standby.started() as pair:
        print(f"primary and standby started in {time.monotonic() - started:.1f} s")
        env = base_env(DJANGO_DEBUG="1", DATABASE_URL=pair.primary_url)
        loading = time.monotonic()
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "load_corpus", "--verbosity", "0")
        pair.heartbeat()
        pair.wait_for_replay()
        print(f"corpus loaded and replayed in {time.monotonic() - loading:.1f} s\n")
        env = base_env(
            DJANGO_DEBUG="1",
            DJANGO_ALLOWED_HOSTS="testserver",
            DATABASE_URL=pair.primary_url,
            DATABASE_REPLICA_URLS=pair.replica_url,
        )
        os.environ.clear()
        os.environ.update(env)
        measure(pair, arguments.calls)


if __name__ == "__main__":
    main()
