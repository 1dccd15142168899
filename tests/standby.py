"""A throwaway PostgreSQL primary and a streaming standby of it, on free loopback ports.

For the replica tests and ``bench/cluster.py``::

    from tests.standby import Standby

    with Standby.started() as pair:          # a few seconds: initdb, start, pg_basebackup -R
                                             # (settings as keywords: max_connections=200)
        pair.primary_url                     # postgres://postgres@127.0.0.1:<port>/wcit
        pair.replica_url                     # the standby, read-only, streaming from it
        pair.heartbeat()                     # commit a write on the primary now
        pair.wait_for_replay()               # until the standby has replayed all written so far
        pair.pause_replay(); pair.resume_replay()   # pg_wal_replay_pause() / _resume()
        pair.stop_replica(); pair.start_replica()   # pg_ctl stop (fast) / start
        pair.freeze_replica(); pair.thaw_replica()  # SIGSTOP / SIGCONT: accepts, never answers
    # both clusters stopped and their folders removed

Both clusters live in one temporary folder, owned by the ``postgres`` OS user when run as
root (initdb refuses root; commands go through ``runuser -u postgres --``), and use the
PostgreSQL 15 binaries (``PG_BIN``). They trust every connection from 127.0.0.1 and never
touch the shared server on 5432. Durability is off (fsync, full-page writes: a crash loses a
throwaway cluster, nothing else); a commit still waits for its WAL to be written, so a
committed change is at once on its way to the standby.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG_BIN = Path(os.environ.get("WCIT_PG_BIN", "/usr/lib/postgresql/15/bin"))
# Found once: the caller may change PATH meanwhile, and a cluster must still be stopped.
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"

CONFIG = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 40
wal_receiver_status_interval = 1s
log_min_messages = warning
"""

HBA = """
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def available():
    """Why a standby cannot be started here, or None if it can."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL binaries at {PG_BIN} (apt-get install postgresql-15)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres OS user to run the clusters"
    return None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Standby:
    """A primary and its streaming standby; make one with ``Standby.started()``."""

    def __init__(self, folder, database="wcit", **config):
        self.folder = Path(folder)
        self.database = database
        self.config = config
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.primary_dir = self.folder / "primary"
        self.replica_dir = self.folder / "replica"
        self.primary_url = f"postgres://postgres@127.0.0.1:{self.primary_port}/{database}"
        self.replica_url = f"postgres://postgres@127.0.0.1:{self.replica_port}/{database}"

    @classmethod
    @contextmanager
    def started(cls, database="wcit", **config):
        """Start a primary holding an empty ``database`` and a standby streaming from it;
        stop both and remove their folder on leaving. Keyword arguments are settings for
        both servers' postgresql.conf (``max_connections=200, shared_buffers="256MB"``)."""
        reason = available()
        if reason:
            raise RuntimeError(reason)
        folder = tempfile.mkdtemp(prefix="wcit-standby-")
        pair = cls(folder, database, **config)
        try:
            pair._own(pair.folder)
            pair._start_primary()
            pair._start_standby()
            yield pair
        finally:
            pair.stop_replica()
            pair._stop(pair.primary_dir)
            shutil.rmtree(folder, ignore_errors=True)

    # The clusters' life

    def _start_primary(self):
        self._run("initdb", "-D", self.primary_dir, "-U", "postgres", "-A", "trust", "--no-sync")
        with open(self.primary_dir / "postgresql.conf", "a") as conf:
            conf.write(CONFIG.format(port=self.primary_port, sockets=self.folder))
            # The standby copies this file; a hot standby needs max_connections and the like
            # no lower than its primary's, which the copy guarantees.
            conf.writelines(f"{name} = '{value}'\n" for name, value in self.config.items())
        (self.primary_dir / "pg_hba.conf").write_text(HBA)
        self._ctl(self.primary_dir, "start")
        with self.connect(self.primary_port, "postgres") as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
            connection.execute("CREATE TABLE heartbeat (at timestamptz)")

    def _start_standby(self):
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", self.replica_dir, "-R", "-X", "stream", "--no-sync", "-c", "fast"),
        )
        with open(self.replica_dir / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self._ctl(self.replica_dir, "start")

    def stop_replica(self):
        """Stop the standby (fast shutdown): connections to it are refused until started."""
        self.thaw_replica()  # a frozen server would never shut down
        self._stop(self.replica_dir)

    def start_replica(self):
        """Start the standby again; it catches up from the primary by itself."""
        self._ctl(self.replica_dir, "start")

    def freeze_replica(self):
        """Freeze every process of the standby: it accepts connections and never answers."""
        for pid in self._replica_pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw_replica(self):
        for pid in self._replica_pids():
            os.kill(pid, signal.SIGCONT)

    # Replication

    def pause_replay(self):
        """Stop the standby applying WAL (it keeps receiving it): it lags from now on."""
        with self.connect(self.replica_port) as connection:
            connection.execute("SELECT pg_wal_replay_pause()")
            while connection.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != (
                "paused"
            ):
                time.sleep(0.01)

    def resume_replay(self):
        with self.connect(self.replica_port) as connection:
            connection.execute("SELECT pg_wal_replay_resume()")

    def heartbeat(self):
        """Commit a write on the primary now (in its ``postgres`` database). The standby's
        ``pg_last_xact_replay_timestamp()``, by which lag is measured, is the commit time of
        the last transaction it replayed: on an idle primary it grows old however current
        the standby is. A transaction that writes nothing leaves no commit behind."""
        with self.connect(self.primary_port, "postgres") as connection:
            connection.execute("INSERT INTO heartbeat VALUES (now())")

    def wait_for_replay(self, timeout=30):
        """Wait until the standby has replayed everything the primary has written so far."""
        with self.connect(self.primary_port) as primary:
            target = primary.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect(self.replica_port) as replica:
            while not replica.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
            ).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the standby has not replayed {target} in {timeout} s")
                time.sleep(0.02)

    def connect(self, port, database=None):
        """An autocommit psycopg connection to the cluster on ``port``."""
        return psycopg.connect(
            host="127.0.0.1",
            port=port,
            user="postgres",
            dbname=database or self.database,
            autocommit=True,
            connect_timeout=5,
        )

    # Helpers

    def _replica_pids(self):
        """The standby's postmaster and its children; none while it is stopped."""
        try:
            postmaster = int((self.replica_dir / "postmaster.pid").read_text().split()[0])
        except FileNotFoundError:
            return []
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def _stop(self, data_dir):
        if (data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", data_dir, "-m", "fast", "-w", "stop", check=False)

    def _ctl(self, data_dir, action):
        self._run("pg_ctl", "-D", data_dir, "-l", data_dir / "server.log", "-w", action)

    def _own(self, path):
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(path, 0o700)

    def _run(self, program, *args, check=True):
        command = [str(PG_BIN / program), *map(str, args)]
        if os.geteuid() == 0:
            command = [RUNUSER, "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr[-2000:]}")
        return result
