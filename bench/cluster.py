"""Benchmark: the whole topology on loopback, loaded with wrk through nginx, parts failing.

Not a test: it measures and prints. It starts, on 127.0.0.1 ports of its own:
Debian's nginx running deploy/nginx.conf (ports and paths rewritten) in front of two
gunicorn app servers (2 sync workers each, debug off), a redis-server of its own, and a
PostgreSQL database of its own on the primary at DATABASE_URL (fixtures plus --claims
generated claims). Then, each phase --duration seconds of wrk (--connections connections)
over a mix of pages, it prints the status codes, req/s, p50 and p99 and the pages rendered
(X-Cache: miss) of each phase:

- calm: both app servers up;
- failover: one app server is killed (SIGKILL, its workers with it) a third of the way in;
- calm again, once it is back; then edit storm: a claim saved through the ORM every second,
  against the calm phase just before it;
- with --replica, the database is a throwaway primary and its streaming standby
  (tests/standby.py) and the app servers read public pages from the standby
  (DATABASE_REPLICA_URLS): "replica paused" pauses its replay a third of the way into a
  phase while a claim is saved every second (pages of each new version must come from the
  primary), "replica stopped" stops it a third of the way in;
- slow clients: twenty connections hold unfinished requests (half in their headers, half
  in their bodies) through the proxy while /healthz is asked every 0.25 s; then the same
  straight at one app server, without the proxy, for comparison.

The yardstick comes first, in the same run: the bare Django view of ``bench/load.py``
(Django's default middleware only, ``bench.bare_settings``) on two app servers of its own
behind the same nginx configuration, loaded the same way; every phase's rate is also given
as a ratio to it ("× bare"). Its servers are stopped before the site's phases.

Everything it starts is stopped and its database dropped at the end, also on Ctrl-C.
Needs nginx and wrk (apt-get install -y nginx wrk), redis-server, PostgreSQL. Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cluster.py

Options: --claims N (100000), --duration S (10), --connections N (16), --database NAME
(wcit_cluster_run), --keep (keep the database), --replica (a primary and a standby of the
bench's own instead of DATABASE_URL's server).
"""

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import BARE, setup  # noqa: E402
from tests.servers import Nginx, RedisServer, free_port  # noqa: E402
from tests.standby import Standby  # noqa: E402

PAGES = [
    "/",
    "/countries/se/",
    "/countries/",
    "/claims/?country=se",
    "/claims/1/",
    "/clauses/5b/",
    "/disputes/",
    "/search/?q=sanctions",
    "/sources/what-really-happened-in-dubai/",
    "/api/claims/?country=se",
]
HOST = "127.0.0.1"
SLOW_CLIENTS = 20

# wrk: the pages in turn; each thread counts statuses and renders, summed in done().
WRK_SCRIPT = """
local threads = {}
local paths = {%(paths)s}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; renders = 0; n = 0 end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {Host = "%(host)s"})
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["X-Cache"] == "miss" then renders = renders + 1 end
end
function done(summary, latency, requests)
  local total, rendered = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
    rendered = rendered + thread:get("renders")
  end
  for status, count in pairs(total) do
    io.write(string.format("status %%d %%d\\n", status, count))
  end
  io.write(string.format("renders %%d\\n", rendered))
  io.write(string.format("p50 %%d\\np99 %%d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


class AppServer:
    """gunicorn as `make serve` runs it, in a process group of its own, so that it can be
    killed whole (SIGKILL to master and workers: a machine lost, not a graceful stop)."""

    def __init__(self, env, folder, name, app="wcit.wsgi"):
        self.port = free_port()
        self.address = f"{HOST}:{self.port}"
        self.url = f"http://{self.address}"
        self.env, self.log_path, self.app = env, Path(folder) / f"{name}.log", app
        self.process = None

    def start(self):
        self.log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                self.app,
                "--workers",
                "2",
                "--bind",
                self.address,
                "--timeout",
                "30",
                "--graceful-timeout",
                "10",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, 30, self.process)
        return self

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
                return
            self.log.close()


def get(url, path):
    import urllib.request

    request = urllib.request.Request(url + path, headers={"Host": HOST})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def wait_for_port(port, seconds, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"exited while starting: {process.args[:2]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port} within {seconds} s")


def wrk(url, args, script):
    """{"rate", "p50", "p99" (ms), "statuses", "renders", "errors"} of wrk through ``url``."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=args.duration + 120,
    ).stdout
    result = {"statuses": {}, "errors": ""}
    for line in output.splitlines():
        words = line.split()
        if words[:1] == ["status"]:
            result["statuses"][int(words[1])] = int(words[2])
        elif words[:1] in (["renders"], ["p50"], ["p99"]):
            result[words[0]] = int(words[1]) / (1 if words[0] == "renders" else 1000)
    result["rate"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Socket errors:.*", output)
    result["errors"] = errors.group(0) if errors else ""
    return result


def print_phase(name, result, bare_rate, note=""):
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(result["statuses"].items()))
    print(
        f"{name:<15} {result['rate']:>8.1f} {result['rate'] / bare_rate:>7.3f} "
        f"{result['p50']:>8.1f} {result['p99']:>8.1f} "
        f"{int(result['renders']):>8}  {statuses}  {result['errors']}{note}",
        flush=True,
    )


def behind_nginx(stack, env, folder, name, paths, app="wcit.wsgi"):
    """Two app servers (``name``1 and 2) serving ``app`` behind nginx with deploy/nginx.conf,
    stopped by ``stack``; and wrk's script asking for ``paths`` in turn."""
    servers = [AppServer(env, folder, f"{name}{n}", app=app) for n in (1, 2)]
    for server in servers:
        stack.callback(server.stop)
        server.start()
    nginx = Nginx([server.address for server in servers])
    stack.callback(nginx.stop)
    script = folder / f"{name}.lua"
    listed = ", ".join(f'"{path}"' for path in paths)
    script.write_text(WRK_SCRIPT % {"paths": listed, "host": HOST})
    return servers, nginx, script


def bare_view(args, env, folder):
    """wrk's result for the bare Django view, served as the site is: two app servers of its
    own (gunicorn, 2 sync workers each) behind nginx with deploy/nginx.conf. Its servers are
    stopped once it is measured."""
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare_settings"}
    app = "django.core.wsgi:get_wsgi_application()"
    with contextlib.ExitStack() as bare:
        _servers, nginx, script = behind_nginx(bare, bare_env, folder, "bare", [BARE], app)
        for _ in range(8):
            nginx.get(BARE, {"Host": HOST})
        return wrk(nginx.url, args, script)


def edit_every_second(env, seconds):
    """A process that saves a claim through the ORM every second for ``seconds``; it prints
    how many it saved."""
    code = (
        "import time, django; django.setup()\n"
        "from wcit.models import Claim\n"
        "claim = Claim.objects.get(pk=1)\n"
        f"end, n = time.monotonic() + {seconds}, 0\n"
        "while time.monotonic() < end:\n"
        "    started = time.monotonic()\n"
        "    claim.summary = claim.summary.split(' [edit')[0] + f' [edit {n}]'\n"
        "    claim.save()\n"
        "    n += 1\n"
        "    time.sleep(max(0, 1 - (time.monotonic() - started)))\n"
        "print(n)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def slow_clients(port, n=SLOW_CLIENTS):
    """``n`` connections to ``port``, each with part of a request sent and no more."""
    clients = []
    for i in range(n):
        client = socket.create_connection((HOST, port), timeout=5)
        if i % 2:
            client.sendall(f"GET /countries/se/ HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode())
        else:
            client.sendall(
                f"POST /admin/login/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 100000\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\nusername=a".encode()
            )
        clients.append(client)
    return clients


def probe_health(url, seconds):
    """(answers by status or error, slowest in ms) of GET /healthz every 0.25 s."""
    import urllib.error
    import urllib.request

    answers, slowest = {}, 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        request = urllib.request.Request(url + "/healthz", headers={"Host": HOST})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                answer = response.status
        except urllib.error.HTTPError as error:
            answer = error.code
        except OSError as error:
            answer = type(getattr(error, "reason", error)).__name__
        slowest = max(slowest, (time.monotonic() - started) * 1000)
        answers[answer] = answers.get(answer, 0) + 1
        time.sleep(max(0, 0.25 - (time.monotonic() - started)))
    return answers, slowest


def slow_client_phase(name, port, url, seconds):
    clients = slow_clients(port)
    try:
        time.sleep(0.5)
        answers, slowest = probe_health(url, seconds)
    finally:
        for client in clients:
            client.close()
    shown = ", ".join(f"{answer}: {count}" for answer, count in answers.items())
    print(f"{name:<34} /healthz answers {shown}; slowest {slowest:.0f} ms", flush=True)
    return answers


def replica_phases(args, nginx, script, pair, env, bare_rate):
    """Load the site while the standby lags (replay paused) and then while it is down: every
    answer still a 200, pages of a new version rendered from the primary."""
    for name, fail, mend in [
        ("replica paused", pair.pause_replay, pair.resume_replay),
        ("replica stopped", pair.stop_replica, pair.start_replica),
    ]:
        editor = edit_every_second(env, args.duration)
        timer = threading.Timer(args.duration / 3, fail)
        timer.start()
        try:
            result = wrk(nginx.url, args, script)
        finally:
            timer.cancel()
            saved = editor.communicate(timeout=60)[0].strip()
        note = f"  (at {args.duration / 3:.0f} s; {saved} claims saved)"
        print_phase(name, result, bare_rate, note=note)
        mend()
        pair.wait_for_replay(timeout=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", default="wcit_cluster_run")
    parser.add_argument("--keep", action="store_true", help="Keep the database.")
    parser.add_argument(
        "--replica", action="store_true", help="A primary and a streaming standby of its own."
    )
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (this creates its own database).")
    for tool in ("nginx", "wrk", "redis-server"):
        if not shutil.which(tool):
            sys.exit(f"Needs {tool}: apt-get install -y nginx wrk redis-server")
    # SIGTERM as Ctrl-C: both unwind through the finally blocks that stop everything.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import psycopg

    folder = Path(tempfile.mkdtemp(prefix="wcit-cluster-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        pair = None
        if args.replica:
            pair = stack.enter_context(Standby.started(database=args.database, max_connections=200))
            database_url = pair.primary_url
        else:
            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {args.database}")
                admin.execute(f"CREATE DATABASE {args.database}")
            if not args.keep:
                stack.callback(drop_database, base, args.database)
            database_url = urlunparse(urlparse(base)._replace(path=f"/{args.database}"))
        redis = RedisServer(folder)
        stack.callback(redis.stop)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "wcit.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-" + "c1" * 30,
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DJANGO_DOWNLOADS_ROOT": str(folder / "downloads"),
            # Plain http on loopback: TLS would end at the proxy, which nginx.conf leaves to
            # the deployer (its certificates); the proxy sets X-Forwarded-For.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_PROXY_COUNT": "1",
        }
        started = time.perf_counter()
        setup(env, args.claims)
        if pair is not None:
            pair.wait_for_replay(timeout=600)
            env["DATABASE_REPLICA_URLS"] = pair.replica_url
        apps, nginx, script = behind_nginx(stack, env, folder, "app", PAGES)
        for path in PAGES:  # fill the cache: the calm phase measures a warm site
            nginx.get(path, {"Host": HOST}, timeout=60)
        print(
            f"Setup in {time.perf_counter() - started:.0f} s: {args.claims:,} generated claims "
            f"plus the corpus on PostgreSQL, Redis, two app servers (gunicorn, 2 sync workers "
            f"each, debug off) behind nginx ({nginx.url}); wrk {args.duration} s, "
            f"{args.connections} connections, {len(PAGES)} pages in turn.\n"
        )
        print(
            f"{'phase':<15} {'req/s':>8} {'× bare':>7} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'renders':>8}  statuses"
        )
        bare = bare_view(args, env, folder)
        bare_rate = bare["rate"]
        print_phase("bare view", bare, bare_rate, note=f"  ({BARE}, 2 app servers of its own)")
        calm = wrk(nginx.url, args, script)
        print_phase("calm", calm, bare_rate)

        timer = threading.Timer(args.duration / 3, apps[1].kill)
        timer.start()
        try:
            result = wrk(nginx.url, args, script)
        finally:
            timer.cancel()
        note = f"  (app server 2 killed at {args.duration / 3:.0f} s)"
        print_phase("failover", result, bare_rate, note=note)
        apps[1].start()
        for path in PAGES:  # its new workers' first requests load templates and connect
            for _ in range(4):
                get(apps[1].url, path)
        time.sleep(11)  # nginx leaves a failed server out for fail_timeout (10 s)

        calm = wrk(nginx.url, args, script)
        print_phase("calm again", calm, bare_rate)
        editor = edit_every_second(env, args.duration)
        try:
            storm = wrk(nginx.url, args, script)
        finally:
            saved = editor.communicate(timeout=60)[0].strip()
        note = f"  ({saved} claims saved, one a second)"
        print_phase("edit storm", storm, bare_rate, note=note)
        print(
            f"edit storm against calm: {storm['rate'] / calm['rate']:.2f}× the throughput, "
            f"p99 {storm['p99']:.0f} ms against {calm['p99']:.0f} ms\n"
        )
        if pair is not None:
            replica_phases(args, nginx, script, pair, env, bare_rate)

        through = slow_client_phase(
            f"{SLOW_CLIENTS} slow clients through nginx", nginx.port, nginx.url, args.duration
        )
        direct = slow_client_phase(
            f"{SLOW_CLIENTS} slow clients at app 1 direct", apps[0].port, apps[0].url, 5
        )
        assert set(through) == {200}, f"/healthz through the proxy: {through}"
        print(f"\n/healthz through the proxy: 200 every time; straight at gunicorn: {direct}")


def drop_database(base, name):
    import psycopg

    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
