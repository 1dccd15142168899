"""A page cache that never goes stale: every entry is keyed on the data version.

The data version is kept in the database (``DataVersion``), beside the data it versions,
and copied into the shared cache (Redis when REDIS_URL is set, so every process and host
sees the same copy). Any save or delete of a model of this app, any change to a
many-to-many link, and ``load_corpus`` replace it once their transaction commits, in the
database and then in the copy; from then on every key built on the old version misses, so
a curator's change shows on the next public request, on every process, and the old
entries simply expire. The copy is checked against the database every
``DATA_VERSION_SECONDS``: should the cache have been away when a change committed, its copy
is stale no longer than that once it answers again. While the database is away, the copy
stands (nothing can change meanwhile), so pages kept in the cache still answer.

``PageCacheMiddleware`` answers anonymous public GET and HEAD requests from the cache,
with an ETag and Last-Modified taken from the version, and 304 to a conditional request
whose validator still matches. A hit is one round trip to the cache; after an edit, each
page is rendered once however many ask for it at once (the others wait for its entry).
``per_version`` caches any computed value (a list's count and filter block, a page's group
counts) the same way, in the shared cache, under a key derived from what it computes. A
public request reads the version once, at its start, and uses that one throughout (the
middleware pins it).

A sick cache is the cache backend's business (``wcit.breaker``): it answers as an empty
cache, so nothing here needs to catch its errors. While it is away (its ``outage``), pages
and values are kept in this process's own memory instead (``_outage_memory``), under the
same keys: otherwise every request of an outage builds its page afresh (tens of
milliseconds of CPU for a claim page, which a loaded machine stretched past 0.5 s). Those
keys hold the version, which every request of an outage reads from the database (its copy
is not kept in this memory), so no page kept there is ever stale.

Every key holds the language (``LocaleMiddleware`` sets it from the URL, outside): one
language's page or value never answers a reader of another.
"""

import hashlib
import inspect
import os
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from .models import DataVersion
from .unavailable import DATABASE_ERRORS, database_unavailable

VERSION_KEY = "data-version"
# The version the copy was last checked against the database as, for DATA_VERSION_SECONDS:
# the copy is trusted only while the two agree. A write sent to a frozen Redis lands when it
# thaws (it is queued in the socket): a bare "checked" landing then would vouch for a copy
# that missed a change; a version vouches for itself only.
CHECKED_KEY = "data-version-checked"
# Paths never cached: the admin (per user), the health check (must look at the database).
UNCACHED_PREFIXES = ("/admin/", "/healthz")
# Responses larger than this are served but not stored.
MAX_ENTRY_BYTES = 2 * 1024 * 1024
# After an edit, the first request for a page renders it and the others wait at most this
# many seconds for it (then render it themselves); also how long the render's lock lives,
# should the process holding it die.
RENDER_WAIT = 3
APP_LABEL = "wcit"

# While the shared cache is away: each process's own memory for pages and values, bounded
# (at most OUTAGE_ENTRIES entries of at most OUTAGE_ENTRY_BYTES each: 50 MB a process).
OUTAGE_ENTRIES = 200
OUTAGE_ENTRY_BYTES = 256 * 1024
_outage_memory = LocMemCache(
    "wcit-outage", {"TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": OUTAGE_ENTRIES}}
)


def _store():
    """Where pages and values are kept now: the shared cache, or while it is away, this
    process's own memory."""
    return _outage_memory if getattr(cache, "outage", None) else cache


# The version a public request reads throughout (``PageCacheMiddleware`` pins it): one
# read of the shared cache a request, and every value the request shows of one version.
_pinned = ContextVar("wcit_data_version", default=None)


def data_version():
    """The current data version: microseconds since the epoch when the data last changed.

    The cache's copy, once checked against the database within ``DATA_VERSION_SECONDS``.
    """
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    return _version_in(cache.get_many([VERSION_KEY, CHECKED_KEY]))


def _version_in(copy):
    """The version in ``copy`` (what the cache returned for VERSION_KEY and CHECKED_KEY),
    checked against the database when the copy is missing or due a check."""
    version = copy.get(VERSION_KEY)
    if version is None or copy.get(CHECKED_KEY) != version:
        version = _check(version)
    return int(version)


def _check(copy):
    """The database's version, which corrects the cache's ``copy`` if that missed a change;
    while the database is away, ``copy``."""
    try:
        version = DataVersion.objects.current()
    except DatabaseError:
        if copy is None:
            raise
        version = copy  # nothing can be saved while the database is away
    else:
        # Written only when missing or behind: a bump landing meanwhile is never undone.
        if copy is None:
            cache.add(VERSION_KEY, version, settings.PAGE_CACHE_SECONDS)
        elif version > copy:
            cache.set(VERSION_KEY, version, settings.PAGE_CACHE_SECONDS)
    # Checked (or tried) now: the other processes need not ask the database for a while.
    cache.set(CHECKED_KEY, version, settings.DATA_VERSION_SECONDS)
    return version


def bump_data_version():
    """Give the data a new version (``DataVersion.objects.bump``), then the cache's copy."""
    version = DataVersion.objects.bump()
    # Pages cached under a version expire with it: it need not outlive them.
    cache.set(VERSION_KEY, version, settings.PAGE_CACHE_SECONDS)
    cache.set(CHECKED_KEY, version, settings.DATA_VERSION_SECONDS)
    return version


def bump_on_commit(using=None):
    """Bump the version once the current transaction commits (at once outside one).

    Bumping before the commit would let a request read the new version and the
    old rows, and store the old page under the new key for good. One bump per
    transaction, however many rows it saves (loaddata saves thousands).
    """
    connection = transaction.get_connection(using)
    # Django keeps (savepoint ids, callback, robust) for each pending callback and
    # forgets them on rollback; a bump already pending here will do.
    pending = getattr(connection, "run_on_commit", [])
    if connection.in_atomic_block and any(entry[1] is bump_data_version for entry in pending):
        return
    transaction.on_commit(bump_data_version, using=using, robust=True)


def _on_change(sender, using=None, **kwargs):
    if sender._meta.app_label == APP_LABEL and sender is not DataVersion:
        bump_on_commit(using)


def _on_m2m_change(sender, action, using=None, **kwargs):
    if action.startswith("post_"):
        _on_change(sender, using=using)


def connect_signals():
    post_save.connect(_on_change, dispatch_uid="wcit-data-version-save")
    post_delete.connect(_on_change, dispatch_uid="wcit-data-version-delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="wcit-data-version-m2m")


def per_version(compute, *args):
    """``compute(*args)``, computed once per data version and kept in the shared cache.

    The key is derived from what is computed, never written by hand: ``compute``'s
    qualified name, the object it is a method of and ``args``, each named by
    ``key_part`` (a QuerySet by its SQL). Two selections cannot share an entry, and a
    change to the data, a new version, makes every entry unreachable at once.
    """
    if not settings.SHARED_CACHE:
        return compute(*args)
    # The language too: what is computed may hold words of the interface or curated labels.
    language = get_language()
    parts = repr([language, _name(compute), *(key_part(part) for part in _bound(compute, args))])
    key = f"v:{data_version()}:{_digest(parts)}"
    value = _store().get(key)
    if value is None:
        value = compute(*args)
        _store().set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def key_part(value):
    """What names ``value`` in a key: a QuerySet by its model, SQL and parameters, an object
    with a ``version_key()`` (a FilterSet) by what that returns, anything else by itself."""
    if isinstance(value, QuerySet):
        try:
            sql, params = value.query.sql_with_params()
        except EmptyResultSet:
            sql, params = "(no rows)", ()
        return (value.model._meta.label, value.db, sql, params)
    version_key = getattr(value, "version_key", None)
    return version_key() if callable(version_key) else value


def _name(compute):
    function = getattr(compute, "__func__", compute)
    name = f"{function.__module__}.{function.__qualname__}"
    if "<" in function.__qualname__:
        raise TypeError(f"per_version names its entries by function: {name} has no name of its own")
    return name


def _bound(compute, args):
    """The object a method is bound to (a QuerySet's ``count``), then ``args``."""
    owner = getattr(compute, "__self__", None)
    return args if owner is None or inspect.ismodule(owner) else (owner, *args)


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _public_read(request):
    return (
        settings.SHARED_CACHE
        and request.method in ("GET", "HEAD")
        and not request.path_info.startswith(UNCACHED_PREFIXES)
    )


def _cacheable_request(request):
    return (
        settings.PAGE_CACHE
        # Anyone with a session may be a signed-in curator: never serve or store their pages.
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
        and len(response.content) <= MAX_ENTRY_BYTES
    )


def _representation(request):
    """The digest of what names the representation: the full URL (scheme, host, path,
    query) and whether the client takes gzip. Pages hold absolute links built from the
    host, and HtmlGZipMiddleware, inside this one, compresses what is stored for a client
    that takes gzip."""
    gzip = bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    return _digest(f"{request.build_absolute_uri()} gzip={gzip}")


def _etag(version, digest):
    return f'"{version:x}-{digest[:16]}"'


def _with_validators(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    # Stored by browsers and proxies, but checked with us before every use.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


class PageCacheMiddleware:
    """Serve anonymous public GETs from the cache, keyed on (version, language, URL); 304s.

    A hit costs one round trip to the cache: the page is asked for in the same ``get_many``
    as the version, under the version this process saw last (a guess, kept only if the
    version read with it is the same). Pages this process served under the current version
    are also kept in its memory (``RecentPages``): a hit of one of those reads only the
    version from the cache. After an edit, a page is rendered once however many ask for it
    at once (``render_once``).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.seen = None  # the data version this process read last
        self.recent = RecentPages(settings.PAGE_CACHE_LOCAL_BYTES)

    def __call__(self, request):
        if not _public_read(request):
            return self.get_response(request)
        cacheable = _cacheable_request(request)
        digest = _representation(request) if cacheable else None
        guess = self.seen
        keys = [VERSION_KEY, CHECKED_KEY]
        kept = self.recent.get(_page_key(guess, digest)) if digest and guess else None
        if digest and guess and kept is None:
            keys.append(_page_key(guess, digest))
        try:
            copy = cache.get_many(keys)
            version = _version_in(copy)
        except DATABASE_ERRORS as error:
            # Nothing to key on, and no page to build without the database: asking it again
            # for the page would only wait out its timeouts twice.
            return database_unavailable(request, error)
        if version != guess:
            kept = None
            self.recent.clear()  # pages of an earlier version can never be served again
        elif VERSION_KEY not in copy:
            kept = None  # the cache is away (or was emptied): pages are built, as without one
        self.seen = version
        token = _pinned.set(version)
        try:
            if not cacheable:
                return self.get_response(request)
            key = _page_key(version, digest)
            if _store() is _outage_memory:
                return self.respond_locally(request, version, digest, key)
            stored = kept or (copy.get(key) if version == guess else cache.get(key))
            if kept is None and stored is not None:
                self.recent.put(key, stored)
            return self.respond(request, version, digest, stored)
        finally:
            _pinned.reset(token)

    def respond(self, request, version, digest, stored):
        """The page ``stored``, else rendered (once) and stored."""
        etag = _etag(version, digest)
        if stored is not None:
            response = _from_entry(stored, "hit")
        else:
            response = self.render_once(request, _page_key(version, digest), etag, version)
            if "X-Cache" not in response:
                return response  # not cacheable
        return _conditional(request, etag, version, response)

    def respond_locally(self, request, version, digest, key):
        """While the shared cache is away: the page from this process's own memory, else
        rendered and kept there (``_outage_memory``)."""
        etag = _etag(version, digest)
        stored = _outage_memory.get(key)
        if stored is not None:
            response = _from_entry(stored, "hit local")
        else:
            response = self.get_response(request)
            if not _cacheable_response(response):
                return response
            _with_validators(response, etag, http_date(version / 1_000_000))
            if len(response.content) <= OUTAGE_ENTRY_BYTES:
                entry = (response.status_code, list(response.items()), response.content)
                _outage_memory.set(key, entry, settings.PAGE_CACHE_SECONDS)
            response["X-Cache"] = "miss local"
        return _conditional(request, etag, version, response)

    def render_once(self, request, key, etag, version):
        """The page rendered by this request and stored, or, while another request renders
        it (it holds the lock), that one's page once stored; after ``RENDER_WAIT`` seconds
        without it, rendered here too."""
        lock = f"render:{key}"
        if not cache.add(lock, os.getpid(), RENDER_WAIT):
            stored = _wait_for(key, lock)
            if stored is not None:
                self.recent.put(key, stored)
                return _from_entry(stored, "hit")
            return self.render(request, key, etag, version)
        try:
            return self.render(request, key, etag, version)
        finally:
            cache.delete(lock)

    def render(self, request, key, etag, version):
        response = self.get_response(request)
        if not _cacheable_response(response):
            return response
        _with_validators(response, etag, http_date(version / 1_000_000))
        entry = (response.status_code, list(response.items()), response.content)
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        self.recent.put(key, entry)
        response["X-Cache"] = "miss"
        return response


class RecentPages:
    """The entries this process served under the current version, least recently used first
    out, at most ``limit`` bytes of content in all; shared by the process's threads.

    Entries are never stale: each is keyed on its version, and the middleware clears them
    all when it reads a new one. They spare a hit the page's trip from Redis (a 250 KB page
    took 0.3-0.5 ms more than a small one), not the version's.
    """

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        size = len(entry[2])
        if size > self.limit // 8:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += size
            while self.size > self.limit:
                _key, oldest = self.entries.popitem(last=False)
                self.size -= len(oldest[2])

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


def _page_key(version, digest):
    return f"page:{version}:{get_language()}:{digest}"


def _conditional(request, etag, version, response):
    """304 when the client's copy is of this version; else ``response``, whole."""
    return (
        get_conditional_response(
            request, etag=etag, last_modified=version // 1_000_000, response=response
        )
        or response
    )


def _wait_for(key, lock):
    """The entry stored under ``key`` by the request holding ``lock``, asked for at growing
    intervals; None when the lock is gone without it (that request's page was not
    cacheable, or the cache is away) or after ``RENDER_WAIT`` seconds."""
    deadline = time.monotonic() + RENDER_WAIT
    pause = 0.005
    while True:
        # Asked before the first pause: a cache that is away answers {} at once (wcit.breaker),
        # and then nobody holds the lock, so nobody is worth waiting for.
        found = cache.get_many([key, lock])
        if key in found:
            return found[key]
        if lock not in found or time.monotonic() + pause > deadline:
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _from_entry(entry, how):
    status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Cache"] = how
    return response
