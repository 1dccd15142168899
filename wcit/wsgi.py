import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
application = get_wsgi_application()

# With debug off, refuse to start without collectstatic's manifest: every page would be a 500.
from wcit.checks import require_static_manifest  # noqa: E402

require_static_manifest()
