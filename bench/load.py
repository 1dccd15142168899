"""Benchmark: the site under gunicorn, as production runs it, loaded with wrk.

Not a test: it measures and prints. It creates (and afterwards drops) its own
PostgreSQL database, loads the fixtures, then grows it by generated claims through each
size of --sizes (by default the powers of ten from 10,000 up to --claims) and at each
size collects the static files and serves the site with gunicorn (debug off, --workers
sync workers) on a loopback port, in each of --modes: ``cached`` (the page cache, Redis
when it answers on 127.0.0.1:6379, with keys of this run only), ``uncached``
(DJANGO_PAGE_CACHE=0: no page is stored, values computed once per data version, such as
facet counts, still are) and ``cold`` (no shared cache at all: every request computes
everything, as the first reader after an edit does). Each page is loaded with wrk beside
three yardsticks: a bare Django view under Django's default middleware only
(``bench.bare_settings``, served by its own gunicorn with the same options), a trivial
view through the site's whole middleware, and a plain ``ListView`` of the claim list's 25
rows (``bench/urls.py``); it prints req/s, p50, p99 and the ratio to the bare view, the
median of 5 requests alone, each page's CPU time a request (its workers' and their
database connections', from /proc: the machine's other work moves it far less than the
rate) and the bare view's CPU time a request over it ("× bare CPU"), the uncached claim
list's ratio to the plain ListView, then single-request p95 (of 50) of search and of a
claim page, and the downloads' rows per second (single requests). With several sizes it
ends with a table of every page's ratios to the bare view and CPU time at each size.
Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py

Options: --claims N (100000), --sizes N [N ...], --duration S (10), --connections N (16),
--workers N (2), --database NAME (wcit_bench), --keep, --pages P [P ...] (a subset of
PAGES), --modes cached|uncached|cold (cached and uncached), --redis-db N (0), --paired
(each page's ratio to the bare view loaded right before it: the median of --rounds N such
pairs, 3), --gzip (Accept-Encoding: gzip), --locmem (each worker caches in its own memory),
--set NAME=VALUE (an environment variable of the site's, e.g. DJANGO_PAGE_CACHE_LOCAL_MB=0).
Needs wrk (apt-get install wrk).
"""

import argparse
import contextlib
import csv
import http.client
import io
import json
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
    # The largest source page: the blog post and its thread of replies.
    "/sources/what-really-happened-in-dubai/",
]
# Single requests, timed: each is the first page (DOWNLOAD_PAGE_SIZE rows at most).
DOWNLOADS = ["/claims.csv", "/claims.json", "/claims.csv?country=se"]
MODES = {
    "cached": ("cached (page cache on)", {"DJANGO_PAGE_CACHE": "1"}),
    "uncached": ("uncached (DJANGO_PAGE_CACHE=0)", {"DJANGO_PAGE_CACHE": "0"}),
    # No Redis and not one process: nothing is kept between requests (wcit.settings).
    "cold": (
        "cold (no shared cache: nothing kept between requests)",
        {"REDIS_URL": "", "DJANGO_SHARED_CACHE": "0"},
    ),
}
TRIVIAL = "/bench/trivial"
BARE = "/bench/bare"
PLAIN_LIST = "/bench/claims/"
CLAIM_LIST = "/claims/?country=se"
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--sizes", type=int, nargs="+", help="Sizes to measure at.")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="wcit_bench")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database.")
    parser.add_argument("--pages", nargs="+", default=PAGES, help="Pages to load.")
    parser.add_argument("--modes", nargs="+", choices=list(MODES))
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
    sizes = sorted(args.sizes or powers_of_ten(args.claims))

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
        last_original = prepare(env)
        static = static_url(static_root)
        summary, generated = {}, 0
        for size in sizes:
            started = time.perf_counter()
            generate(env, size - generated, last_original)
            generated = size
            print(
                f"Setup: {size:,} generated claims plus the corpus (this step "
                f"{time.perf_counter() - started:.0f} s); gunicorn {args.workers} sync workers, "
                f"debug off; wrk {args.duration} s, {args.connections} connections; "
                f"cache: {'Redis' if redis else 'local memory'}.\n"
            )
            bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare_settings"}
            bare_app = "django.core.wsgi:get_wsgi_application()"
            with Server(bare_env, args.workers, probe=BARE, app=bare_app) as bare:
                for mode in modes:
                    label, overrides = MODES[mode]
                    with Server({**env, **overrides}, args.workers) as server:
                        print(f"== {label}")
                        rows = measure(server, bare, args, static)
                        summary[size, mode] = rows
                        if mode != "cached":
                            single_requests(server)
                            time_downloads(server)
                        print()
        if len(sizes) > 1:
            print_summary(summary, sizes, modes)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        if redis:
            clear_redis(prefix, args.redis_db)
        if not args.keep:
            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {args.database}")


def powers_of_ten(claims):
    """10,000, 100,000, ... below ``claims``, then ``claims``."""
    sizes, size = [], 10_000
    while size < claims:
        sizes.append(size)
        size *= 10
    return [*sizes, claims]


def manage(env, *command):
    subprocess.run(
        [sys.executable, "manage.py", *command], env=env, cwd=ROOT, check=True, timeout=3600
    )


def prepare(env):
    """Migrate, load the corpus and collect static files; the corpus's last claim id."""
    import psycopg

    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_corpus", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        return connection.execute("SELECT max(id) FROM wcit_claim").fetchone()[0]


def setup(env, claims):
    """A database of the corpus and ``claims`` generated claims (bench/cluster.py's)."""
    generate(env, claims, prepare(env))


def generate(env, claims, last_original):
    """Add ``claims`` generated copies of the corpus's own claims (ids up to
    ``last_original``), in batches, then VACUUM ANALYZE as autovacuum would in time."""
    code = (
        "import django; django.setup()\n"
        "import random\n"
        "from django.db import connection, transaction\n"
        "from tests.factories import generate_claims\n"
        "from bench.run import WORDS\n"
        "from wcit.models import Claim\n"
        f"rng = random.Random({claims})\n"
        "with transaction.atomic():\n"
        f"    generate_claims({claims}, summary=lambda o, i: "
        "f\"{o.summary} ({' '.join(rng.sample(WORDS, 3))})\", batch=10000, keep=False, "
        f"originals=Claim.objects.filter(pk__lte={last_original}))\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('VACUUM ANALYZE')\n"
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
        """{pid: CPU seconds} used so far by the workers and by their database connections (kept
        open, CONN_MAX_AGE): what serving costs, which other work on the machine barely
        moves, where the rate wrk sees moves with it."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids = [int(child) for child in children]
        database = self.env.get("DATABASE_URL")
        if database and "bare_settings" not in self.env["DJANGO_SETTINGS_MODULE"]:
            import psycopg

            with psycopg.connect(database) as connection:
                pids += [
                    row[0]
                    for row in connection.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                    )
                ]
        return {pid: process_cpu(pid) for pid in pids}


def process_cpu(pid):
    """Seconds of CPU (user and system) process ``pid`` has used; 0 if it has gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(url):
    request = urllib.request.Request(url, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, args):
    """(req/s, p50 ms, p99 ms, non-2xx count) of wrk loading ``url``."""
    # A timeout past the default 2 s: a slow page is measured, not counted as a socket error.
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    command += ["--timeout", "30s"]
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
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return rate, latency(50), latency(99), int(bad.group(1)) if bad else 0, errors, requests


def measure(server, bare, args, static):
    """Load the bare view, then each page, and print each as a ratio to the bare view."""
    targets = [(bare, BARE), *[(server, path) for path in [TRIVIAL, static, PLAIN_LIST]]]
    targets += [(server, path) for path in args.pages]
    rows, paired = [], {}
    for target, path in targets:
        try:
            status, body = get(target.url + path)  # warm: the first request fills the cache
        except OSError:  # a timeout (60 s): wrk measures it all the same
            body = b""
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
        rows.append((path, rate, p50, p99, bad, len(body), errors, cpu, alone(target.url + path)))
    rates = {path: rate for path, rate, *_ in rows}
    if args.paired:
        print(
            f"Each ratio is to the bare view loaded right before the page ({BARE} req/s shown), "
            f"the median of {args.rounds} such pairs."
        )
    cpus = {row[0]: row[-2] for row in rows}
    names = {BARE: "bare Django view", TRIVIAL: "trivial view, site stack", static: "static file"}
    names[PLAIN_LIST] = "plain ListView, 25 rows"
    print(
        f"{'page':<28} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'× bare':>7} {'KB':>7} "
        f"{'alone ms':>9} {'CPU ms':>7} {'× bare CPU':>10}  notes"
    )
    for path, rate, p50, p99, bad, size, errors, cpu, single in rows:
        notes = []
        if bad:
            notes.append(f"{bad} non-2xx/3xx")
        if errors:
            notes.append(errors.group(0).strip())
        if path in paired:
            notes.append(f"bare {paired[path]:.0f}")
        print(
            f"{names.get(path, path):<28} {rate:>9.1f} {p50:>9.1f} {p99:>9.1f} "
            f"{rate / paired.get(path, rates[BARE]):>7.3f} {size / 1024:>7.1f} "
            f"{single:>9.1f} {cpu:>7.2f} "
            f"{cpus[BARE] / cpu if cpu else float('nan'):>10.3f}  {'; '.join(notes)}"
        )
    if CLAIM_LIST in rates:
        print(
            f"{CLAIM_LIST} against the plain ListView of its rows: "
            f"{rates[CLAIM_LIST] / rates[PLAIN_LIST]:.2f}×"
        )
    return {
        path: (rate / rates[BARE], single, cpu, cpus[BARE] / cpu if cpu else float("nan"))
        for path, rate, *_, cpu, single in rows
    }


def loaded(target, path, args):
    """wrk's figures for ``path``, and the CPU ms ``target`` spent a request: less moved by
    the neighbours' load than req/s, since a process waiting for a core uses none."""
    spent = target.cpu_seconds()
    rate, p50, p99, bad, errors, requests = wrk(target.url + path, args)
    # Per process: a database connection closed meanwhile must not count as negative.
    after = target.cpu_seconds()
    used = sum(seconds - spent.get(pid, 0.0) for pid, seconds in after.items())
    return rate, p50, p99, bad, errors, used * 1000 / max(requests, 1)


def alone(url, n=5):
    """The median time of ``n`` requests of ``url``, one after another: a page's cost with
    no queue in front of it, which the machine's other work moves less than wrk's rate."""
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        # A timeout (60 s) counts as 60 s: the page is that slow at least.
        with contextlib.suppress(OSError):
            get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)[n // 2]


def time_downloads(server, runs=3):
    """Each download in DOWNLOADS fetched whole ``runs`` times, one at a time: rows, the
    best time and rows per second."""
    for path in DOWNLOADS:
        timings = []
        try:
            for _ in range(runs):
                started = time.perf_counter()
                _status, body = get(server.url + path)
                timings.append(time.perf_counter() - started)
        # A timeout (60 s), an error status, or a stream cut short (gunicorn's --timeout 60
        # ends a worker mid-response): say so, go on.
        except (OSError, http.client.HTTPException) as error:
            print(
                f"download {path:<24} failed after {time.perf_counter() - started:.0f} s: {error}"
            )
            continue
        if path.split("?")[0].endswith(".json"):
            rows = len(json.loads(body)["results"])
        else:
            # Less the header row; a quoted cell may hold a line break.
            rows = len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1
        best = min(timings)
        print(
            f"download {path:<24} {rows:>7,} rows {len(body) / 1e6:6.1f} MB in "
            f"{best * 1000:7.0f} ms (best of {runs}): {rows / best:>9,.0f} rows/s"
        )


def print_summary(summary, sizes, modes):
    """Each page's ratio to the bare view (and p50) at each size, mode by mode."""
    for mode in modes:
        if mode == "cached":
            continue
        print(
            f"== {MODES[mode][0]}, by generated claims: × bare view by rate / by CPU, "
            "and CPU ms a request (workers and database)"
        )
        paths = list(summary[sizes[0], mode])
        print(f"{'page':<42}" + "".join(f"{size:>26,}" for size in sizes))
        for path in paths:
            cells = ""
            for size in sizes:
                by_rate, _alone, cpu, by_cpu = summary[size, mode][path]
                cells += f"{by_rate:>9.4f} /{by_cpu:>7.4f} {cpu:>7.2f}"
            print(f"{path[:42]:<42}{cells}")
        print()


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
