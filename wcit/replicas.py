"""Public reads from PostgreSQL streaming replicas, everything else from the primary.

Installed only when ``DATABASE_REPLICA_URLS`` names replicas (the settings add them as the
database aliases ``replica1``, ``replica2``, ... and put the router and the middleware in
place); without it nothing here runs. The rules:

- Writes always go to the primary (``default``): a replica is read-only.
- A request may read from a replica only if it is a public read: GET or HEAD, outside
  ``/admin/`` and ``/healthz``, from a client with no session cookie (anyone with a session
  may be a signed-in curator, who must see what they just saved) and no "just wrote" cookie
  (``REPLICA_STICKY_COOKIE``, set for ``DATABASE_REPLICA_STICKY_SECONDS`` on the answer to
  any POST, PUT, PATCH or DELETE that did not fail: a client's own writes it reads back
  from the primary, whatever else it changed). Reads outside a request (management
  commands, threads) go to the primary.
- The data version is read from the primary only: it is what the replica is measured by.
  So is anything read inside a transaction opened on the primary.
- A public read chooses its replica at its first query, not before, so a page answered from
  the page cache costs no query at all. It then asks the replica, in one query, for its
  data version and how far it lags (``pg_last_xact_replay_timestamp()``, counted as 0 when
  it has replayed all it received). The replica is used only when its version is at least
  the one the request pinned (``wcit.cache.data_version``), so a page cached under version
  V is never rendered from a replica that has not replayed V's change; and only when it
  lags no more than ``DATABASE_REPLICA_MAX_LAG`` seconds. Otherwise the primary answers.
- A replica that fails (refuses, times out: ``DATABASE_REPLICA_CONNECT_TIMEOUT``) is not
  asked again by this process for ``DATABASE_REPLICA_PAUSE`` seconds (``wcit.breaker``): a
  request waits on a sick replica at most once per pause and process, and the log gets one
  line per outage. One that fails in the middle of a page (stopped, restarted, a query
  cancelled by its replay) costs the reader nothing: the page is built again from the
  primary (a public read changes nothing, so reading it twice is safe). Only a download
  whose first rows were already sent cannot be started again. One that lags beyond the
  bound answers at once and is asked again by the next request (one line in the log when
  it starts lagging).

Nothing here is shared between processes but the databases: each process keeps its own
breakers, and every rule is decided from the request and the databases alone.
"""

import logging
import random
import threading
from contextlib import suppress
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse

from .breaker import Breaker
from .cache import data_version
from .models import DataVersion
from .watchdog import deadline

SAFE_METHODS = ("GET", "HEAD")
# The primary's business: the admin (curators), the health check (the primary must answer).
PRIMARY_PREFIXES = ("/admin/", "/healthz")
REPLICA_STICKY_COOKIE = "wcit_wrote"

# The replica's version, and seconds since the last transaction it replayed was committed
# on the primary: 0 once it has replayed everything it received (an idle primary sends no
# transactions, and the replay timestamp then only tells how long it has been idle).
CHECK_SQL = """
SELECT (SELECT version FROM {table} WHERE id = 1),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
            THEN 0
            ELSE COALESCE(
                EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
       END
"""

# The choice of this request: None (read the primary), or a ``_Choice`` made at first read.
_reads = ContextVar("wcit_replica_reads", default=None)
_breakers = {}
_breakers_lock = threading.Lock()
_lagging = set()  # the replicas this process last found beyond the lag bound (logged once)
logger = logging.getLogger("wcit.faults")


def replica_aliases():
    """The database aliases of the replicas, in settings order."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def breaker(alias):
    """This process's breaker for the replica ``alias``."""
    with _breakers_lock:
        if alias not in _breakers:
            _breakers[alias] = Breaker(
                settings.DATABASE_REPLICA_PAUSE,
                name=f"Replica {alias}",
                meanwhile="reading from the primary",
            )
        return _breakers[alias]


def replica_state(alias):
    """(data version, lag in seconds) of the replica ``alias``; raises DatabaseError."""
    connection = connections[alias]
    sql = CHECK_SQL.format(table=connection.ops.quote_name(DataVersion._meta.db_table))
    with connection.wrap_database_errors:
        connection.ensure_connection()
        # A frozen replica takes the query and never answers: the watchdog shuts the socket
        # after the connect timeout. On psycopg's own cursor, as Django's health check does:
        # Django's cursor would put the watchdog's longer deadline for queries in its place.
        with (
            deadline(connection, settings.DATABASE_REPLICA_CONNECT_TIMEOUT),
            connection.connection.cursor() as cursor,
        ):
            cursor.execute(sql)
            version, lag = cursor.fetchone()
    return (version or 0), float(lag)


def usable(alias, version):
    """Whether the replica ``alias`` may answer a request pinned to data ``version``."""
    guard = breaker(alias)
    if not guard.closed():
        return False
    try:
        replica_version, lag = replica_state(alias)
    except DatabaseError as error:
        guard.trip(error)
        _close(alias)
        return False
    guard.reset()
    if lag > settings.DATABASE_REPLICA_MAX_LAG:
        # Asked again by the next request, not paused: the lag is measured from the last
        # commit it replayed, so just after a write that follows an idle spell a current
        # replica can look as old as the spell for a few milliseconds.
        if alias not in _lagging:
            _lagging.add(alias)
            logger.warning(
                "Replica %s lags %.1f s behind the primary (bound %s s): reading from the "
                "primary until it catches up",
                alias,
                lag,
                settings.DATABASE_REPLICA_MAX_LAG,
            )
        return False
    if alias in _lagging:
        _lagging.discard(alias)
        logger.info("Replica %s caught up", alias)
    # Behind the version: it has not replayed the last change yet; it soon will.
    return replica_version >= version


def _close(alias):
    """Drop the connection to a replica that failed: the next try makes a new one."""
    with suppress(DatabaseError):  # it was broken already
        connections[alias].close()


class _Choice:
    """Which database a public read uses, decided at its first query and kept."""

    alias = None
    failed = False  # the replica failed during the request: it is read again, from the primary

    def decide(self):
        if self.alias is None:
            version = data_version()
            replicas = replica_aliases()
            random.shuffle(replicas)  # spread the reads of every process over all of them
            self.alias = next(
                (alias for alias in replicas if usable(alias, version)), DEFAULT_DB_ALIAS
            )
        return self.alias


def reads_from():
    """The alias the current request's reads went to (``default`` if none yet)."""
    choice = _reads.get()
    return choice.alias if choice is not None and choice.alias else DEFAULT_DB_ALIAS


def may_read_replica(request):
    """Whether ``request`` is a public read a replica may answer (the module's rules)."""
    return (
        request.method in SAFE_METHODS
        and not request.path_info.startswith(PRIMARY_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and REPLICA_STICKY_COOKIE not in request.COOKIES
    )


class ReplicaRouter:
    """Reads of a public read request from a usable replica; all else from the primary."""

    def db_for_read(self, model, **hints):
        choice = _reads.get()
        if choice is None or model is DataVersion:
            return DEFAULT_DB_ALIAS
        # Code that opened a transaction on the primary reads in it (the corpus download's
        # snapshot, anything that locks rows): a replica would not see that transaction.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return choice.decide()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: an object read from either may link to one
        # read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _reading(choice, content):
    """``content``, each chunk read with the request's ``choice`` of database, and only then:
    nothing else the server thread runs between chunks sees it."""
    chunks = iter(content)
    while True:
        token = _reads.set(choice)
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        finally:
            _reads.reset(token)
        yield chunk


class ReplicaMiddleware:
    """Let public reads use a replica; mark a client that wrote to read the primary a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        choice = _Choice() if may_read_replica(request) else None
        response = self.answer(request, choice)
        if choice is not None and choice.failed:
            # Its 503 is not the reader's business while the primary answers.
            choice = _Choice()
            choice.alias = DEFAULT_DB_ALIAS
            response = self.answer(request, choice)
        if choice is not None and response.streaming:
            # A streamed download reads its rows as the server sends them, after this returned.
            response.streaming_content = _reading(choice, response.streaming_content)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                REPLICA_STICKY_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def answer(self, request, choice):
        token = _reads.set(choice)
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)

    def process_exception(self, request, exception):
        # A replica that failed mid-page: the page is asked for again, from the primary
        # (``__call__``); the next requests read the primary while the breaker pauses.
        choice = _reads.get()
        alias = reads_from()
        if alias != DEFAULT_DB_ALIAS and isinstance(exception, DatabaseError):
            breaker(alias).trip(exception)
            _close(alias)
            choice.failed = True
            # Set aside by ``__call__``: no 503 page built, nor logged as the database's.
            return HttpResponse(status=503)
        return None
