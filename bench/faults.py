"""Fault drill: load the site while its PostgreSQL stops, returns, then freezes and thaws.

Not a test: it prints what clients saw. It creates a PostgreSQL cluster of its
own (pg_createcluster, port --port, default 5433; the main cluster on 5432 is
never touched), loads the corpus into it, serves the site with gunicorn (debug
off, 2 sync workers, page cache off so that every request needs the database)
and runs --clients client threads against a few pages on 127.0.0.1 for the
whole drill:

    healthy 10 s | cluster stopped 15 s | started again 15 s | frozen (SIGSTOP) 20 s | thawed 10 s

For each phase it prints the status codes seen (and client errors), the
slowest answer, and after the restart how long until 200s came back. The
cluster is dropped at the end. Run as root (pg_createcluster needs it):

    .venv/bin/python bench/faults.py

Options: --port N (5433), --clients N (8), --version N (the installed PostgreSQL).
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
PHASES = [("healthy", 10), ("stopped", 15), ("restarted", 15), ("frozen", 20), ("thawed", 10)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--version", default=sorted(os.listdir("/etc/postgresql"))[-1])
    args = parser.parse_args()
    if args.port == 5432:
        sys.exit("Port 5432 is the main cluster's: this drill uses a cluster of its own.")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            sys.exit(f"Something already listens on port {args.port}.")

    cluster = [args.version, CLUSTER]
    static_root = Path(tempfile.mkdtemp(prefix="wcit-faults-static-"))
    server = None
    run(["pg_createcluster", *cluster, "--port", str(args.port), "--", "--auth=trust"])
    try:
        ctl(cluster, "start")
        wait_for_port(args.port)
        run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(args.port),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE wcit",
            ]
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "wcit.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.port}/wcit",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "faults-only-" + "q9" * 30,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(static_root),
            "DJANGO_PAGE_CACHE": "0",
        }
        env.pop("REDIS_URL", None)
        for command in [
            ["migrate", "--verbosity", "0"],
            ["load_corpus", "--verbosity", "0"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
        ]:
            run([sys.executable, "manage.py", *command], env=env)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "wcit.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
            ],
            env=env,
            cwd=ROOT,
            stderr=open(static_root / "gunicorn.log", "w"),  # noqa: SIM115
        )
        wait_for_port(port)
        drill(cluster, port, args.clients)
        log = (static_root / "gunicorn.log").read_text().splitlines()
        print(
            f"\ngunicorn log: {len(log)} lines, "
            f"{sum('Traceback' in line for line in log)} tracebacks, "
            f"{sum('Database unavailable' in line for line in log)} 'Database unavailable' lines, "
            f"{sum('WORKER TIMEOUT' in line for line in log)} worker timeouts"
        )
        for error, count in tracebacks(log).items():
            print(f"  {count} x {error}")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        thaw(cluster)
        run(["pg_dropcluster", "--stop", *cluster], check=False)
        shutil.rmtree(static_root, ignore_errors=True)


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


def drill(cluster, port, clients):
    results = []  # (phase, started, seconds, outcome)
    lock = threading.Lock()
    phase = {"name": PHASES[0][0]}
    stop = threading.Event()

    def client(number):
        connection = None
        i = number
        while not stop.is_set():
            path = PAGES[i % len(PAGES)]
            i += 1
            started = time.monotonic()
            name = phase["name"]
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=40)
                connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                outcome = f"error {type(error).__name__}"
                connection.close()
                connection = None
                time.sleep(0.05)
            with lock:
                results.append((name, started, time.monotonic() - started, outcome))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    drill_start = time.monotonic()
    for thread in threads:
        thread.start()
    marks = {}
    for name, seconds in PHASES:
        phase["name"] = name
        marks[name] = time.monotonic()
        if name == "stopped":
            ctl(cluster, "stop", "-m", "fast")
        elif name == "restarted":
            ctl(cluster, "start")
        elif name == "frozen":
            freeze(cluster)
        elif name == "thawed":
            thaw(cluster)
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    print("Each request counts in the phase in which it started (a request in flight when")
    print("the database stops or freezes counts in the phase before).")
    print(f"{'phase':<10} {'requests':>8}  {'slowest':>8}  status codes seen")
    for name, _seconds in PHASES:
        rows = [r for r in results if r[0] == name]
        counts = Counter(r[3] for r in rows)
        slowest = max((r[2] for r in rows), default=0)
        seen = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
        print(f"{name:<10} {len(rows):>8}  {slowest:>7.1f}s  {seen}")
    ends = [("restarted", "frozen", "`pg_ctlcluster start`"), ("thawed", None, "SIGCONT")]
    for mark, until, event in ends:
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
    total = Counter(r[3] for r in results)
    print(
        f"All {len(results)} requests in {time.monotonic() - drill_start:.0f} s: "
        + ", ".join(f"{code}: {n}" for code, n in sorted(total.items()))
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
