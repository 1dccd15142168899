"""Fault drill: load the site while its PostgreSQL, then its Redis, fails and returns.

Not a test: it prints what clients saw. It creates a PostgreSQL cluster of its
own (pg_createcluster, port --port, default 5433; the main cluster on 5432 is
never touched), loads the corpus into it, and runs --clients client threads
against a few pages on 127.0.0.1 for each part of the drill.

The database part serves the site with gunicorn (debug off, 2 sync workers, page cache
off so that every request needs the database):

    healthy 10 s | cluster stopped 15 s | started again 15 s | frozen (SIGSTOP) 20 s | thawed 10 s

The Redis part serves it again with the page cache on, in a redis-server of the drill's own
(a free port, its data kept in a temporary folder as a real one keeps it across a restart),
with --redis-clients clients (as many as workers: each answer's time is then the page's own,
not a queue's):

    healthy 10 s | frozen (SIGSTOP) 15 s | thawed 10 s | stopped (refusing) 10 s | started 10 s

At the start of the frozen and the stopped phases a curator's save changes claim 13's
summary (as the admin would, in another process); the drill counts the answers for
/claims/13/ that still showed the old summary after the save, and when the last one came.

For each phase it prints the status codes seen (and client errors), the slowest answer
and how many took over 0.5 s, and after the restarts how long until 200s came back. The
cluster and the Redis are removed at the end. Run as root (pg_createcluster needs it):

    .venv/bin/python bench/faults.py [--part database|redis]

Options: --port N (5433), --clients N (8), --redis-clients N (2), --version N (the
installed PostgreSQL).
"""

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = "wcit_faults"
PAGES = ["/claims/?country=se", "/claims/1/", "/", "/api/claims/?kind=fact", "/healthz"]
DATABASE_PHASES = [
    ("healthy", 10),
    ("stopped", 15),
    ("restarted", 15),
    ("frozen", 20),
    ("thawed", 10),
]
REDIS_PHASES = [("healthy", 10), ("frozen", 15), ("thawed", 10), ("stopped", 10), ("started", 10)]
# The claim a curator changes while Redis is away, and the page that must show the change.
CHANGED = 13
SLOW = 0.5


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--redis-clients", type=int, default=2)
    parser.add_argument("--part", choices=["database", "redis"], action="append")
    parser.add_argument("--version", default=sorted(os.listdir("/etc/postgresql"))[-1])
    args = parser.parse_args()
    if args.port == 5432:
        sys.exit("Port 5432 is the main cluster's: this drill uses a cluster of its own.")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            sys.exit(f"Something already listens on port {args.port}.")

    # Named for its port: two drills on one machine (other checkouts) each have their own.
    cluster = [args.version, f"{CLUSTER}_{args.port}"]
    folder = Path(tempfile.mkdtemp(prefix="wcit-faults-"))
    run(["pg_createcluster", *cluster, "--port", str(args.port), "--", "--auth=trust"])
    try:
        ctl(cluster, "start")
        wait_for_port(args.port)
        psql = ["psql", "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-qc"]
        run([*psql, "CREATE DATABASE wcit"])
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "wcit.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.port}/wcit",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "faults-only-" + "q9" * 30,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(folder / "static"),
        }
        env.pop("REDIS_URL", None)
        for command in [
            ["migrate", "--verbosity", "0"],
            ["load_corpus", "--verbosity", "0"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
        ]:
            run([sys.executable, "manage.py", *command], env=env)
        parts = args.part or ["database", "redis"]
        if "database" in parts:
            print("== PostgreSQL: stopped, started, frozen, thawed (page cache off)")
            database_part(cluster, {**env, "DJANGO_PAGE_CACHE": "0"}, folder, args.clients)
        if "redis" in parts:
            print("\n== Redis: frozen, thawed, stopped, started (page cache on)")
            redis_part(env, folder, args.redis_clients)
    finally:
        thaw(cluster)
        run(["pg_dropcluster", "--stop", *cluster], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def database_part(cluster, env, folder, clients):
    def act(name):
        if name == "stopped":
            ctl(cluster, "stop", "-m", "fast")
        elif name == "restarted":
            ctl(cluster, "start")
        elif name == "frozen":
            freeze(cluster)
        elif name == "thawed":
            thaw(cluster)

    with gunicorn(env, folder / "gunicorn-database.log") as port:
        results, marks = drill(DATABASE_PHASES, act, port, clients, PAGES)
    report(DATABASE_PHASES, results, marks)
    for mark, until, event in [
        ("restarted", "frozen", "`pg_ctlcluster start`"),
        ("thawed", None, "SIGCONT"),
    ]:
        recovery(results, marks, mark, until, event)
    log_summary(folder / "gunicorn-database.log", "Database unavailable")


def redis_part(env, folder, clients):
    redis = RedisServer(folder / "redis")
    saves = []  # (phase, when the save began, when it had committed, the summary it wrote)

    def save(phase):
        """A curator's save, as the admin makes it: in a transaction, the version bumped once
        it commits. In this process, set up for it: a process started now would compete
        for the CPU with the pages being measured."""
        from django.db import connection, transaction

        from wcit.models import Claim

        begun = time.monotonic()
        summary = f"Changed by the fault drill at {time.time():.0f} while Redis was away."
        with transaction.atomic():
            claim = Claim.objects.get(pk=CHANGED)
            claim.summary = summary
            claim.save()
        connection.close()
        saves.append((phase, begun, time.monotonic(), summary))

    def act(name):
        if name == "frozen":
            redis.signal(signal.SIGSTOP)
            threading.Thread(target=save, args=(name,)).start()
        elif name == "thawed":
            redis.signal(signal.SIGCONT)
        elif name == "stopped":
            redis.stop()
            threading.Thread(target=save, args=(name,)).start()
        elif name == "started":
            redis.start()

    server_env = {**env, "REDIS_URL": redis.url, "DJANGO_CACHE_KEY_PREFIX": "drill"}
    os.environ.update(server_env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    pages = [*PAGES, f"/claims/{CHANGED}/"]
    try:
        with gunicorn(server_env, folder / "gunicorn-redis.log") as port:
            results, marks = drill(REDIS_PHASES, act, port, clients, pages)
    finally:
        redis.stop()
    report(REDIS_PHASES, results, marks)
    # An answer after a save and before the next one began must show what the save wrote.
    ends = [save[1] for save in saves[1:]] + [float("inf")]
    for (phase, _begun, saved, summary), until in zip(saves, ends, strict=True):
        seen = [r for r in results if saved <= r[1] and r[1] + r[2] < until and r[5]]
        stale = [r for r in seen if summary not in r[5]]
        last = max((r[1] + r[2] for r in stale), default=None)
        print(
            f"Save while {phase}: {len(seen)} answers for /claims/{CHANGED}/ after it, "
            f"{len(stale)} of them stale"
            + (f", the last {last - saved:.1f} s after the save" if stale else "")
        )
    log_summary(folder / "gunicorn-redis.log", "Cache unavailable")


class RedisServer:
    """A redis-server of the drill's own on a free port, its data kept in ``folder``."""

    def __init__(self, folder):
        folder.mkdir()
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "yes", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def signal(self, number):
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(number)

    def stop(self):
        if self.process.poll() is None:
            self.signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)


@contextlib.contextmanager
def gunicorn(env, log):
    """The site under gunicorn (2 sync workers) on a free port: yields the port."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wcit.wsgi", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}", "--timeout", "30"],
        env=env,
        cwd=ROOT,
        stderr=open(log, "w"),  # noqa: SIM115 - closed when the process ends
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def log_summary(path, words):
    log = path.read_text().splitlines()
    print(
        f"gunicorn log: {len(log)} lines, "
        f"{sum('Traceback' in line for line in log)} tracebacks, "
        f"{sum(words in line for line in log)} '{words}' lines, "
        f"{sum('WORKER TIMEOUT' in line for line in log)} worker timeouts"
    )
    for error, count in tracebacks(log).items():
        print(f"  {count} x {error}")


def tracebacks(log):
    """{the exception line ending each traceback in ``log``: how many times it was seen}."""
    errors = {}
    inside = False
    for line, following in zip(log, [*log[1:], ""], strict=True):
        inside = inside or line.startswith("Traceback")
        ends = not line.startswith((" ", "Traceback")) and not following.startswith(" ")
        if inside and ends:
            errors[line] = errors.get(line, 0) + 1
            inside = False
    return errors


def drill(phases, act, port, clients, pages):
    """Load ``pages`` with ``clients`` threads through ``phases``, calling ``act(name)`` at
    the start of each: (results, the time each phase started). A result is (phase, started,
    seconds, outcome, path, body of /claims/CHANGED/ or None, X-Cache or None)."""
    results = []
    lock = threading.Lock()
    phase = {"name": phases[0][0]}
    stop = threading.Event()
    watched = f"/claims/{CHANGED}/"

    def client(number):
        connection = None
        i = number
        while not stop.is_set():
            path = pages[i % len(pages)]
            i += 1
            started = time.monotonic()
            name = phase["name"]
            body = cached = None
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=40)
                connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                response = connection.getresponse()
                content = response.read()
                outcome = str(response.status)
                cached = response.getheader("X-Cache")
                if path == watched and response.status == 200:
                    body = content.decode()
            except (OSError, http.client.HTTPException) as error:
                outcome = f"error {type(error).__name__}"
                connection.close()
                connection = None
                time.sleep(0.05)
            with lock:
                results.append(
                    (name, started, time.monotonic() - started, outcome, path, body, cached)
                )

    # Each worker's first answers import and compile what the pages need: not a fault's cost.
    for _round in range(3):
        for path in pages:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=40)
            connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
            connection.getresponse().read()
            connection.close()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    marks = {}
    for name, seconds in phases:
        phase["name"] = name
        marks[name] = time.monotonic()
        act(name)
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return results, marks


def report(phases, results, marks):
    print("Each request counts in the phase in which it started (a request in flight when")
    print("the server stops or freezes counts in the phase before).")
    print(f"{'phase':<10} {'requests':>8}  {'slowest':>8}  {f'> {SLOW} s':>7}  status codes seen")
    for name, _seconds in phases:
        rows = [r for r in results if r[0] == name]
        counts = Counter(r[3] for r in rows)
        slowest = max(rows, key=lambda r: r[2], default=None)
        slow = sum(r[2] > SLOW for r in rows)
        seen = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
        where = f"{slowest[2]:>7.2f}s" if slowest else "       -"
        print(f"{name:<10} {len(rows):>8}  {where}  {slow:>7}  {seen}")
        if slowest:
            began = slowest[1] - marks[name]
            cached = f" (X-Cache: {slowest[6]})" if slowest[6] else ""
            print(
                f"{'':<10} {'':>8}  slowest: {slowest[4]}{cached}, begun {began:.1f} s into "
                "the phase"
            )
    total = Counter(r[3] for r in results)
    print(
        f"All {len(results)} requests: " + ", ".join(f"{c}: {n}" for c, n in sorted(total.items()))
    )


def recovery(results, marks, mark, until, event):
    start, stop_at = marks[mark], marks[until] if until else float("inf")
    ended = sorted((r[1] + r[2], r[3]) for r in results if start <= r[1] + r[2] < stop_at)
    first_200 = next((t - start for t, outcome in ended if outcome == "200"), None)
    last_bad = max((t - start for t, outcome in ended if outcome != "200"), default=None)
    print(
        f"After {event}: first 200 after "
        + (f"{first_200:.1f} s" if first_200 is not None else "none")
        + "; last non-200 answer "
        + (f"{last_bad:.1f} s after" if last_bad is not None else "none")
    )


def cluster_pids(cluster):
    data = Path("/var/lib/postgresql") / cluster[0] / cluster[1] / "postmaster.pid"
    try:
        postmaster = int(data.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    children = subprocess.run(
        ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
    ).stdout.split()
    return [postmaster, *map(int, children)]


def freeze(cluster):
    for pid in cluster_pids(cluster):
        os.kill(pid, signal.SIGSTOP)


def thaw(cluster):
    for pid in cluster_pids(cluster):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


def ctl(cluster, action, *options):
    run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action, *options])


def run(command, check=True, env=None):
    return subprocess.run(
        command, check=check, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"Nothing listens on port {port} after {seconds} s.")


if __name__ == "__main__":
    main()
