#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
    # manage.py is the developer's tool (createsuperuser, corpus_report, import_claims...):
    # without a word from the environment it runs with debug on. The site itself is served
    # through wcit.wsgi (gunicorn, `make serve`), where debug stays off unless asked for;
    # production sets DJANGO_DEBUG=0 for its management commands too (README: Deploying).
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
