"""Real app processes for the tests that need them: gunicorn on a loopback port.

Each gets its own SQLite file (migrated, corpus loaded) so that it never shares
the test database, which lives in a transaction the server could not see.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET = "test-only-" + "k3y-" * 12


def base_env(**extra):
    """The environment of an app process: none of the test run's settings, database or cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_REPLICA_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="wcit.settings", **extra)
    return env


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


def prepare_sqlite(path):
    """A migrated SQLite database at ``path`` holding the corpus."""
    env = base_env(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{path}")
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_corpus", "--verbosity", "0")
    return f"sqlite:///{path}"


def redis_is_there():
    """Whether the machine's Redis (127.0.0.1:6379) takes connections."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(process, port, seconds, name, output):
    """Wait until ``port`` takes connections; RuntimeError with ``output()`` if ``process``
    exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start within {seconds} s")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving wcit on 127.0.0.1 with ``workers`` workers (of ``threads`` threads
    each: gthread workers when more than one); stopped by ``stop()``."""

    def __init__(self, env, log_path, workers=1, threads=1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "wcit.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--threads",
                str(threads),
                "--timeout",
                "30",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.process, self.port, 30, "gunicorn", Path(log_path).read_text)
        except RuntimeError:
            self.stop()
            raise

    def get(self, path, headers=None):
        """(status, headers, body) of a GET; redirects are not followed."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=20) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class RedisServer:
    """A ``redis-server`` of the test's own on a loopback port, which it may freeze (SIGSTOP),
    thaw, or stop and start again with its data (kept in ``folder``), never touching the
    shared one on 6379."""

    def __init__(self, folder, *options):
        self.folder = folder
        self.options = options
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.folder),
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 10 s")

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        """Stop it; its data stays in ``folder`` for ``start()``. Meanwhile it refuses."""
        if self.process.poll() is None:
            self.thaw()
            self.process.terminate()
            self.process.wait(timeout=10)


NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def nginx_conf(folder, port, upstreams):
    """deploy/nginx.conf for a run on loopback: listening on ``port``, in front of the app
    servers at ``upstreams`` (host:port), its pid, logs and temporary files in ``folder``."""
    conf = NGINX_CONF.read_text()
    replacements = {
        "pid /run/nginx-wcit.pid;": f"pid {folder}/nginx.pid;",
        "error_log /var/log/nginx/wcit-error.log warn;": f"error_log {folder}/error.log warn;",
        "access_log /var/log/nginx/wcit-access.log;": f"access_log {folder}/access.log;",
        "listen 80 default_server;": f"listen 127.0.0.1:{port} default_server;",
        "http {\n": "http {\n"
        + "".join(
            f"    {kind}_temp_path {folder}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
    }
    servers = [line for line in conf.splitlines() if line.strip().startswith("server 127.0.0.1:")]
    assert len(servers) == 2, "deploy/nginx.conf names two app servers"
    for old in servers:
        conf = conf.replace(old + "\n", "")
    options = " ".join(servers[0].strip().rstrip(";").split()[2:])  # max_fails=... and so on
    listed = "".join(f"        server {address} {options};\n" for address in upstreams)
    conf = conf.replace("    upstream wcit {\n", "    upstream wcit {\n" + listed, 1)
    for old, new in replacements.items():
        assert old in conf, old
        conf = conf.replace(old, new, 1)
    path = Path(folder) / "nginx.conf"
    path.write_text(conf)
    return path


class Nginx:
    """Debian's nginx running deploy/nginx.conf on 127.0.0.1 in front of ``upstreams``, its
    files in a folder of its own, removed by ``stop()``."""

    def __init__(self, upstreams):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its workers run as nobody, and keep large requests and answers in files here.
        self.folder = Path(tempfile.mkdtemp(prefix="wcit-nginx-"))
        self.folder.chmod(0o755)
        self.conf = nginx_conf(self.folder, self.port, upstreams)
        self.process = subprocess.Popen(
            ["nginx", "-c", str(self.conf), "-p", str(self.folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            wait_for_port(
                self.process, self.port, 10, "nginx", lambda: self.process.stderr.read().decode()
            )
        except RuntimeError:
            self.stop()
            raise

    def get(self, path, headers=None, timeout=20):
        """(status, headers, body) of a GET through the proxy; redirects are not followed."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # nginx's fast shutdown; its workers go with it
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)
