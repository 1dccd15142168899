"""Start-up checks that stop a misconfigured production server before it serves a page, and
a deploy check (``manage.py check --deploy``) of what the code cannot bound itself."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def require_static_manifest():
    """Raise when debug is off and collectstatic has not written its manifest.

    Without it every template's ``{% static %}`` fails, and every page answers 500.
    """
    storage = storages["staticfiles"]
    if settings.DEBUG or not isinstance(storage, ManifestFilesMixin):
        return
    if storage.read_manifest() is None:
        raise ImproperlyConfigured(
            f"No static files manifest in {settings.STATIC_ROOT} "
            f"({storage.manifest_name}): run `manage.py collectstatic` before "
            "starting the server with DJANGO_DEBUG off (`make serve` does)."
        )


@register(Tags.caches, deploy=True)
def redis_can_evict(app_configs=None, **kwargs):
    """wcit.W001: the shared Redis needs a ``maxmemory`` and a policy that evicts.

    Every key the site writes expires, but valid pages are many (each filter combination,
    each search): only Redis's own bound keeps traffic from filling the machine's memory.
    """
    if not settings.REDIS_URL:
        return []
    import redis

    try:
        memory = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).info("memory")
    except redis.RedisError as error:
        return [
            CheckWarning(f"Could not ask Redis how its memory is bounded: {error}", id="wcit.W002")
        ]
    if memory.get("maxmemory") and memory.get("maxmemory_policy", "noeviction") != "noeviction":
        return []
    return [
        CheckWarning(
            f"Redis at REDIS_URL has maxmemory {memory.get('maxmemory')} and policy "
            f"{memory.get('maxmemory_policy')}: the page cache can grow until memory runs out.",
            hint="Set maxmemory and maxmemory-policy allkeys-lru (or volatile-lru).",
            id="wcit.W001",
        )
    ]
