from django.apps import AppConfig


class WcitConfig(AppConfig):
    name = "wcit"
    verbose_name = "WCIT-12 debate"

    def ready(self):
        from . import cache

        # Any change to curated data gives the page cache a new data version.
        cache.connect_signals()
