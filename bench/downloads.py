"""Benchmark: the whole-corpus download (a ZIP and a SQLite file) on the shipped corpus and
at 100,000 claims: the files' sizes, the build's time (wall clock and CPU), its memory.

Not a test: it measures. It builds into a temporary folder from the database DATABASE_URL
names (which must hold the corpus: `make fixtures`), twice per size to show a warm build
and that two builds of one version are the same bytes; the generated claims are added in a
transaction that is rolled back, so the database is left as it was. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcit .venv/bin/python bench/downloads.py

Options: --claims N (default 100000; 0 measures the database as it is), --runs N (2).
"""

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(bundle, runs):
    edition = bundle.Edition(1_700_000_000_000_000, bundle.Site("https://wcit.example.org"))
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu = time.perf_counter(), time.process_time()
            bundle.build(Path(folder), edition)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            files = {
                path.suffix: (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
                for path in Path(folder).iterdir()
                if path.suffix in (".zip", ".sqlite")
            }
        sizes = "  ".join(f"{suffix} {size / 1e6:8.2f} MB" for suffix, (size, _) in files.items())
        digests = " ".join(digest[:12] for _size, digest in files.values())
        print(f"  run {run + 1}: {wall:6.1f} s wall, {cpu:6.1f} s CPU  {sizes}  sha256 {digests}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.db import connection, transaction

    from tests.factories import generate_claims
    from wcit import bundle
    from wcit.models import Claim

    print(f"{connection.vendor}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{Claim.objects.published().count()} published claims")
    measure(bundle, options.runs)
    if options.claims:
        with transaction.atomic():
            generate_claims(options.claims - Claim.objects.count(), relate=True)
            with connection.cursor() as cursor:
                # Fresh statistics, as autovacuum keeps them: with none, PostgreSQL plans
                # the server-side cursors as if there were 100 claims.
                cursor.execute("ANALYZE")
            print(f"{Claim.objects.published().count()} published claims (generated, rolled back)")
            measure(bundle, options.runs)
            transaction.set_rollback(True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
