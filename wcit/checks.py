"""Start-up checks that stop a misconfigured production server before it serves a page."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
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
