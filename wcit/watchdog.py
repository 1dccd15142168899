"""A last resort for a database server that stops answering mid-query (frozen, partitioned).

PostgreSQL's statement_timeout is enforced by the server: a server that is
frozen (SIGSTOP, a stalled disk, a network partition) never cancels anything,
and on loopback the kernel keeps acknowledging packets, so a worker waits on
its socket until gunicorn kills it. The watchdog gives every query a deadline
a little after the statement timeout; a query still running then has its
socket shut down, which turns the wait into an OperationalError, so the
request gets the 503 page and the connection is dropped for a new one.

One thread per process checks the deadlines; a query costs two dict operations.
"""

import logging
import socket
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db.backends.signals import connection_created

logger = logging.getLogger("wcit.faults")

_running = {}  # thread id -> (deadline, file descriptor)
_lock = threading.Lock()
_started = False


def deadline_seconds():
    """Seconds a query may run before its socket is shut: the statement timeout, plus slack."""
    return settings.DB_STATEMENT_TIMEOUT / 1000 + settings.DB_WATCHDOG_SLACK


@contextmanager
def deadline(connection, seconds):
    """Shut ``connection``'s socket if the block has not finished within ``seconds``."""
    try:
        fd = connection.connection.fileno()
    except Exception:  # noqa: BLE001 - no open connection: nothing to guard
        yield
        return
    key = threading.get_ident()
    with _lock:
        _running[key] = (time.monotonic() + seconds, fd)
    try:
        yield
    finally:
        with _lock:
            _running.pop(key, None)


def guard(execute, sql, params, many, context):
    """Execute wrapper: the query must finish by the statement timeout plus the slack."""
    with deadline(context["connection"], deadline_seconds()):
        return execute(sql, params, many, context)


def _guarded_health_check(connection):
    # Django's health check runs "SELECT 1" on the raw connection, past every execute
    # wrapper: on a frozen server it is where a request would hang.
    check = connection.is_usable

    def is_usable():
        with deadline(connection, settings.DB_CONNECT_TIMEOUT):
            return check()

    is_usable.guarded = True
    return is_usable


def _watch():
    while True:
        time.sleep(0.25)
        now = time.monotonic()
        with _lock:
            overdue = [(key, fd) for key, (deadline, fd) in _running.items() if deadline < now]
            for key, _fd in overdue:
                _running.pop(key, None)
        for _key, fd in overdue:
            logger.warning("Database did not answer in time: closing the connection")
            _shut(fd)


def _shut(fd):
    # A duplicate of the descriptor, so that closing it leaves psycopg's own alone.
    try:
        duplicate = socket.socket(fileno=socket.dup(fd))
    except OSError:
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()


def _install(sender, connection, **kwargs):
    global _started
    if connection.vendor != "postgresql" or not settings.DB_WATCHDOG_SLACK:
        return
    if guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(guard)
    if not getattr(connection.is_usable, "guarded", False):
        connection.is_usable = _guarded_health_check(connection)
    with _lock:
        if not _started:
            threading.Thread(target=_watch, name="wcit-db-watchdog", daemon=True).start()
            _started = True


def connect_signals():
    connection_created.connect(_install, dispatch_uid="wcit-db-watchdog")
