from django.apps import AppConfig


class WcitConfig(AppConfig):
    name = "wcit"
    verbose_name = "WCIT-12 debate"

    def ready(self):
        from . import cache, checks, watchdog  # noqa: F401 - checks registers the deploy check
        from .models import answers

        # Any change to curated data gives the page cache a new data version.
        cache.connect_signals()
        # A change to a claim or a relation recounts the answers it changes (Claim.answer_count).
        answers.connect_signals()
        # Every PostgreSQL query gets a deadline its server cannot miss by freezing.
        watchdog.connect_signals()
