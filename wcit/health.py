"""``/healthz``: 200 while this process can serve pages, that is while the database answers.

For load balancers and monitors: never cached, never redirected to https, and each check
bounded by the database and cache timeouts set in the settings. The body also says how
the cache is; a cache that is away does not fail the check, since every page is then
built from the database (slower, still right). The checks only read, so any number of
probes, from any number of processes, never disturb one another.
"""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .cache import VERSION_KEY

logger = logging.getLogger("wcit.faults")


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_state():
    """ "ok", or why the cache is not being asked. It is asked for the data version's copy
    (which it need not hold); the Redis backend answers a miss when Redis is away
    (``wcit.breaker``) and says why in ``outage``."""
    cache.get(VERSION_KEY)
    outage = getattr(cache, "outage", None)
    return f"unavailable, pages are built from the database: {outage}" if outage else "ok"


@never_cache
def healthz(request):
    """{"status", "database", "cache"}, each "ok" or what is wrong; 200 while the database
    answers, else 503."""
    try:
        check_database()
        database = "ok"
    except Exception as error:  # noqa: BLE001 - report, never raise
        database = f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
    checks = {"database": database, "cache": cache_state()}
    if database != "ok":
        logger.warning("Health check failed: %s", checks)
    response = JsonResponse({"status": "ok" if database == "ok" else "unavailable", **checks})
    response.status_code = 200 if database == "ok" else 503
    return response
