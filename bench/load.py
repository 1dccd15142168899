"""Benchmark: the site under gunicorn, as production runs it, loaded with wrk.

Not a test: it measures and prints. It creates (and afterwards drops) its own
PostgreSQL database, loads the fixtures plus generated claims up to --claims,
collects the static files, then serves the site with gunicorn (debug off,
--workers sync workers) on a loopback port, twice: with the page cache (Redis
when it answers on 127.0.0.1:6379, with keys of this run only) and without it
(DJANGO_PAGE_CACHE=0). Each page is loaded with wrk beside three yardsticks: a bare
Django view under Django's default middleware only (``bench.bare_settings``, served by
its own gunicorn with the same options), a trivial view through the site's whole
middleware, and a plain ``ListView`` of the claim list's 25 rows (``bench/urls.py``); it
prints req/s, p50, p99 and the ratio to the bare view, the uncached claim list's ratio to
the plain ListView, then single-request p95 (of 50) of search and of a claim page. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py

Options: --claims N (100000), --duration S (10), --connections N (16), --workers N (2),
--database NAME (wcit_bench), --redis-db N (0), --keep, --pages P [P ...] (a subset of
PAGES), --modes cached|uncached (both), --paired (each page's ratio to the bare view loaded
right before it: the median of --rounds N such pairs, 3), --gzip (Accept-Encoding: gzip),
--locmem (each worker caches in its own memory), --set NAME=VALUE (an environment variable
of the site's, e.g. DJANGO_PAGE_CACHE_LOCAL_MB=0). Needs wrk (apt-get install wrk).
"""

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    "/claims/?country=se",
    "/countries/se/",
    # The largest country page: a quarter of the generated claims are about the US.
    "/countries/us/",
    "/search/?q=sanctions",
    "/api/claims/?country=se",
    "/",
    "/claims/1/",
    "/clauses/5b/",
    "/countries/",
    "/disputes/",
]
TRIVIAL = "/bench/trivial"
BARE = "/bench/bare"
PLAIN_LIST = "/bench/claims/"
CLAIM_LIST = "/claims/?country=se"
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="wcit_bench")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    parser.add_argument("--pages", nargs="+", default=PAGES, help="Pages to load.")
    parser.add_argument("--modes", nargs="+", choices=["cached", "uncached"])
    parser.add_argument("--redis-db", type=int, default=0, help="Redis database number.")
    parser.add_argument(
        "--paired",
        action="store_true",
        help="Load the bare view again right before each page, and give each page's ratio to "
        "that run (on a shared machine the load drifts between runs).",
    )
    parser.add_argument("--rounds", type=int, default=3, help="With --paired: pairs a page.")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="A site setting."
    )
    parser.add_argument(
        "--gzip", action="store_true", help="Send Accept-Encoding: gzip, as browsers do."
    )
    parser.add_argument(
        "--locmem",
        action="store_true",
        help="Each worker caches in its own memory even where Redis answers: what a hit costs "
        "without a round trip to Redis.",
    )
    args = parser.parse_args()
    modes = args.modes or ["cached", "uncached"]

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates its own db).")
    if not shutil.which("wrk"):
        sys.exit("Needs wrk: apt-get install wrk")
    import psycopg

    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {args.database}")
        admin.execute(f"CREATE DATABASE {args.database}")
    database_url = urlunparse(urlparse(base)._replace(path=f"/{args.database}"))
    static_root = Path(tempfile.mkdtemp(prefix="wcit-bench-static-"))
    prefix = f"wcit-bench-{os.getpid()}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + "x7" * 30,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_CACHE_KEY_PREFIX": prefix,
    }
    env.update(setting.split("=", 1) for setting in args.set)
    redis = redis_answers() and not args.locmem
    if redis:
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    else:
        # Each worker caches for itself: safe here, as nothing changes the data meanwhile.
        env["DJANGO_SHARED_CACHE"] = "1"
    try:
        started = time.perf_counter()
        setup(env, args.claims)
        print(
            f"Setup: {args.claims:,} generated claims plus the corpus in "
            f"{time.perf_counter() - started:.0f} s; gunicorn {args.workers} sync workers, "
            f"debug off; wrk {args.duration} s, {args.connections} connections; "
            f"cache: {'Redis' if redis else 'local memory'}.\n"
        )
        static = static_url(static_root)
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare_settings"}
        bare_app = "django.core.wsgi:get_wsgi_application()"
        with Server(bare_env, args.workers, probe=BARE, app=bare_app) as bare:
            for label, cached in [
                ("cached (page cache on)", True),
                ("uncached (DJANGO_PAGE_CACHE=0)", False),
            ]:
                if ("cached" if cached else "uncached") not in modes:
                    continue
                server_env = {**env, "DJANGO_PAGE_CACHE": "1" if cached else "0"}
                with Server(server_env, args.workers) as server:
                    print(f"== {label}")
                    measure(server, bare, args, static)
                    if not cached:
                        single_requests(server)
                    print()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        if redis:
            clear_redis(prefix, args.redis_db)
        if not args.keep:
            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {args.database}")


def setup(env, claims):
    def manage(*command):
        subprocess.run(
            [sys.executable, "manage.py", *command], env=env, cwd=ROOT, check=True, timeout=3600
        )

    manage("migrate", "--verbosity", "0")
    manage("load_corpus", "--verbosity", "0")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    code = (
        "import django; django.setup()\n"
        "import random\n"
        "from django.db import connection, transaction\n"
        "from tests.factories import generate_claims\n"
        "from bench.run import WORDS\n"
        "rng = random.Random(7)\n"
        "with transaction.atomic():\n"
        f"    generate_claims({claims}, summary=lambda o, i: "
        "f\"{o.summary} ({' '.join(rng.sample(WORDS, 3))})\")\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('ANALYZE')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=3600)


def static_url(static_root):
    import json

    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["wcit/site.css"]


def redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def clear_redis(prefix, db):
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=db)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


class Server:
    def __init__(self, env, workers, probe=TRIVIAL, app="wcit.wsgi"):
        self.probe = probe
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "60",
        ]
        self.env = env

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stderr=subprocess.DEVNULL
        )
        for _ in range(100):
            try:
                get(self.url + self.probe)
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def cpu_seconds(self):
        """CPU seconds (user and system) its workers have used so far."""
        pid = self.process.pid
        total = 0
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")


def get(url):
    request = urllib.request.Request(url, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, args):
    """(req/s, p50 ms, p99 ms, non-2xx count) of wrk loading ``url``."""
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    headers = {**HEADERS, "Accept-Encoding": "gzip"} if getattr(args, "gzip", False) else HEADERS
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=args.duration + 120
    ).stdout

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return rate, latency(50), latency(99), int(bad.group(1)) if bad else 0, errors


def measure(server, bare, args, static):
    """Load the bare view, then each page, and print each as a ratio to the bare view."""
    targets = [(bare, BARE), *[(server, path) for path in [TRIVIAL, static, PLAIN_LIST]]]
    targets += [(server, path) for path in args.pages]
    rows, paired = [], {}
    for target, path in targets:
        status, body = get(target.url + path)  # warm: the first request fills the cache
        if args.paired and path != BARE:
            # Rounds of (bare view, page); the round with the median ratio is shown.
            runs = []
            for _ in range(args.rounds):
                bare_rate = wrk(bare.url + BARE, args)[0]
                runs.append((bare_rate, loaded(target, path, args)))
            runs.sort(key=lambda run: run[1][0] / run[0])
            paired[path], (rate, p50, p99, bad, errors, cpu) = runs[len(runs) // 2]
        else:
            rate, p50, p99, bad, errors, cpu = loaded(target, path, args)
        rows.append((path, rate, p50, p99, bad, len(body), errors, cpu))
    rates = {path: rate for path, rate, *_ in rows}
    if args.paired:
        print(
            f"Each ratio is to the bare view loaded right before the page ({BARE} req/s shown), "
            f"the median of {args.rounds} such pairs."
        )
    names = {BARE: "bare Django view", TRIVIAL: "trivial view, site stack", static: "static file"}
    names[PLAIN_LIST] = "plain ListView, 25 rows"
    print(
        f"{'page':<28} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'× bare':>7} {'KB':>7} "
        f"{'CPU µs':>7}  notes"
    )
    for path, rate, p50, p99, bad, size, errors, cpu in rows:
        notes = []
        if bad:
            notes.append(f"{bad} non-2xx/3xx")
        if errors:
            notes.append(errors.group(0).strip())
        if path in paired:
            notes.append(f"bare {paired[path]:.0f}")
        print(
            f"{names.get(path, path):<28} {rate:>9.1f} {p50:>9.1f} {p99:>9.1f} "
            f"{rate / paired.get(path, rates[BARE]):>7.3f} {size / 1024:>7.1f} {cpu:>7.0f}  "
            f"{'; '.join(notes)}"
        )
    if CLAIM_LIST in rates:
        print(
            f"{CLAIM_LIST} against the plain ListView of its rows: "
            f"{rates[CLAIM_LIST] / rates[PLAIN_LIST]:.2f}×"
        )


def loaded(server, path, args):
    """wrk's figures for ``path``, and the CPU µs the server's workers spent a request: less
    moved by the neighbours' load than req/s, since a worker waiting for a core uses none."""
    before = server.cpu_seconds()
    rate, p50, p99, bad, errors = wrk(server.url + path, args)
    cpu = (server.cpu_seconds() - before) / max(1, rate * args.duration) * 1e6
    return rate, p50, p99, bad, errors, cpu


def single_requests(server, n=50):
    """Single-request p95 (one client, no concurrency) of search and of a claim page, of 50
    requests each: the p95 of 20 is their 19th, which one slow request moves."""

    def p95(paths):
        timings = []
        for path in paths:
            started = time.perf_counter()
            get(server.url + path)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        return timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]

    search = p95([f"/search/?q=sanctions&n={i}" for i in range(n)])
    claim = p95([f"/claims/{i + 1}/" for i in range(n)])
    print(
        f"single requests, p95 of {n}: search {search:.1f} ms, claim page {claim:.1f} ms, "
        f"ratio {search / claim:.1f}x"
    )


if __name__ == "__main__":
    main()
