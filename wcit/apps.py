from django.apps import AppConfig


class WcitConfig(AppConfig):
    name = "wcit"
    verbose_name = "WCIT-12 debate"
