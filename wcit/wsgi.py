import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
application = get_wsgi_application()

# With debug off, refuse to start without collectstatic's manifest: every page would be a 500.
from wcit.checks import require_static_manifest  # noqa: E402

require_static_manifest()

# Each worker reads the world map's shapes once (0.25 s): at boot, not during the first home
# page it builds itself, which the shared cache usually spares it, except when the data
# changes or the cache is away.
from wcit.pictures.shapes import _source_shapes  # noqa: E402

_source_shapes()
