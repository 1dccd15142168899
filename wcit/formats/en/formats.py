"""English as the site wrote it before it spoke other languages: British dates (13 Dec 2012)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
