"""Benchmark: search and filtered claim lists over 100,000 claims on PostgreSQL.

Not a test: it measures. It creates (and afterwards drops) its own database,
loads the fixtures, adds generated claims (copies of real ones with varied
summaries, so every anchor still resolves), then times 50 search queries and
50 filtered claim-list requests through the whole Django stack and prints
p50 and p95 for each. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/run.py

Options: --claims N (default 100000), --requests N (default 50), --keep.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = [
    "internet",
    "sanctions",
    "signing",
    "treaty",
    "resolution",
    "consensus",
    "spam",
    "security",
    "vote",
    "delegates",
    "governance",
    "access",
    "content",
    "freedom",
    "censorship",
    "telecommunications",
    "regulation",
    "walkout",
    "multistakeholder",
    "sovereignty",
    "developing",
    "interconnection",
    "surveillance",
]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own db).")
    import psycopg

    name = "wcit_bench"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
    os.environ["DJANGO_DEBUG"] = "1"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from wcit.models import Claim, Clause, Country, Source, Speaker

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_corpus", verbosity=0)
        generate(args.claims)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"Setup: {Claim.objects.count():,} claims in {time.perf_counter() - started:.0f} s "
            f"(PostgreSQL {connection.pg_version // 10000})."
        )

        rng = random.Random(12)
        countries = [c.slug for c in Country.objects.all()]
        clauses = list(Clause.objects.values_list("code", flat=True))
        sources = list(Source.objects.values_list("slug", flat=True))
        speakers = list(Speaker.objects.values_list("slug", flat=True))
        searches = [
            " ".join(rng.sample(WORDS, rng.choice([1, 1, 2]))) for _ in range(args.requests)
        ]
        lists = []
        for _ in range(args.requests):
            params = {rng.choice(["country", "clause", "source", "speaker", "kind"]): None}
            query = []
            for key in params:
                value = {
                    "country": lambda: rng.choice(countries),
                    "clause": lambda: rng.choice(clauses),
                    "source": lambda: rng.choice(sources),
                    "speaker": lambda: rng.choice(speakers),
                    "kind": lambda: rng.choice(["fact", "opinion", "quote", "prediction"]),
                }[key]()
                query.append(f"{key}={value}")
            if rng.random() < 0.5:
                query.append(f"page={rng.randint(1, 5)}")
            lists.append("/claims/?" + "&".join(query))

        client = Client()
        client.get("/search/?q=warmup")
        report(
            "search /search/?q=…", [f"/search/?q={q.replace(' ', '+')}" for q in searches], client
        )
        report(
            "claim list q=… (ranked)",
            [f"/claims/?q={q.replace(' ', '+')}" for q in searches],
            client,
        )
        report("filtered claim list", lists, client)
        with connection.cursor() as cursor:
            # The stored, indexed column that search reads (migration 0005).
            cursor.execute(
                "EXPLAIN SELECT id FROM wcit_claim WHERE search_document @@ "
                "websearch_to_tsquery('english'::regconfig, 'sanctions')"
            )
            plan = " / ".join(row[0].strip() for row in cursor.fetchall())
        print(f"Plan for a claim search: {plan}")
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name}")


def report(label, urls, client):
    timings = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"{label:<28} n={len(timings):<3} p50={percentile(timings, 0.5):7.1f} ms  "
        f"p95={percentile(timings, 0.95):7.1f} ms  mean={statistics.mean(timings):7.1f} ms"
    )


def generate(total):
    """Add ``total`` claims copied from the real ones, with varied summaries."""
    from django.db import transaction

    from tests.factories import generate_claims

    rng = random.Random(7)
    with transaction.atomic():
        generate_claims(
            total,
            summary=lambda original, i: f"{original.summary} ({' '.join(rng.sample(WORDS, 3))})",
        )


if __name__ == "__main__":
    main()
