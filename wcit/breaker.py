"""Django's Redis cache, with a circuit breaker: a sick Redis costs a request milliseconds.

The settings give every call short socket timeouts (``DJANGO_CACHE_TIMEOUT_MS``). When a call
fails anyway (a timeout, a refused connection, an error answer), this process stops asking
Redis for ``pause`` seconds: meanwhile every call answers at once as an empty cache would (a
miss; nothing stored, nothing deleted), so pages are built from the database. Then the next
call asks again; if that fails too, another pause. A request waits on a sick Redis at most
once, and the log gets one warning per outage, not one per request.

The breaker is per process and per Redis (Django makes a backend per thread; they share it).
``wcit.replicas`` keeps one per read replica in the same way.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("wcit.faults")


class Breaker:
    """Whether to ask a server now, and what went wrong when it last failed."""

    def __init__(self, pause, name="Cache", meanwhile="serving pages uncached"):
        self.pause = pause
        # What the log calls the server, and what the site does while it is away.
        self.name = name
        self.meanwhile = meanwhile
        self.error = None  # None while the server answers
        self.retry_at = 0.0
        self._lock = threading.Lock()

    def closed(self):
        return self.error is None or time.monotonic() >= self.retry_at

    def trip(self, error):
        with self._lock:
            first = self.error is None
            self.error = f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
            self.retry_at = time.monotonic() + self.pause
        if first:
            logger.warning(
                "%s unavailable, %s and asking again every %s s: %s",
                self.name,
                self.meanwhile,
                self.pause,
                self.error,
            )

    def reset(self):
        if self.error is not None:
            with self._lock:
                self.error = None
            # At INFO: the outage is one line at WARNING, the default level.
            logger.info("%s available again", self.name)


_breakers = {}  # the servers' URLs -> their Breaker, for every thread of the process
_breakers_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that stops asking a failing Redis for
    ``OPTIONS["pause"]`` seconds (default 5) and answers as an empty cache meanwhile."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        pause = options.pop("pause", 5)
        super().__init__(server, {**params, "OPTIONS": options})
        with _breakers_lock:
            self.breaker = _breakers.setdefault(tuple(self._servers), Breaker(pause))

    @property
    def outage(self):
        """What went wrong, while the breaker keeps this process from asking; else None."""
        return self.breaker.error

    def _ask(self, fallback, call, *args):
        if not self.breaker.closed():
            return fallback
        try:
            result = call(*args)
        except RedisError as error:
            self.breaker.trip(error)
            return fallback
        self.breaker.reset()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._ask(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._ask(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._ask(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._ask(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._ask(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._ask({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._ask(False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._ask(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._ask(None, super().delete_many, keys, version)

    def clear(self):
        return self._ask(False, super().clear)
