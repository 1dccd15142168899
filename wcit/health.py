"""``/healthz``: 200 when the database and the cache answer, 503 naming what does not.

For load balancers and monitors: never cached, never redirected to https, and
each check bounded by the database and cache timeouts set in the settings.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("wcit.faults")


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = "healthz", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")


@never_cache
def healthz(request):
    """{"database": "ok" | error, "cache": "ok" | error}, 200 when both are ok, else 503."""
    checks = {}
    for name, check in [("database", check_database), ("cache", check_cache)]:
        try:
            check()
            checks[name] = "ok"
        except Exception as error:  # noqa: BLE001 - report, never raise
            checks[name] = f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
    healthy = all(value == "ok" for value in checks.values())
    if not healthy:
        logger.warning("Health check failed: %s", checks)
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks})
    response.status_code = 200 if healthy else 503
    return response
