"""How often one request enters the project's modules: a measure of back and forth.

Not a test: it measures and prints. It serves one URL in process on a throwaway SQLite
copy of the fixtures (debug off, the page cache off, values kept per data version on,
as production serves a page the cache does not hold), once to fill what is kept per
version, then again while watching every Python call. It counts the distinct call
sites (caller function -> callee function) at which control enters a ``wcit`` module
from another module, by the module entered, and prints them. Run:

    .venv/bin/python bench/crossings.py [URL ...]    (default: /claims/?country=se)

--list prints each call site too.
"""

import argparse
import os
import sys
import tempfile
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", default=["/claims/?country=se"])
    parser.add_argument("--list", action="store_true", help="Print each call site.")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="wcit-crossings-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "wcit.settings",
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "crossings-only-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SHARED_CACHE": "1",
            "DJANGO_PAGE_CACHE": "0",
        }
    )
    os.environ.pop("REDIS_URL", None)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    # Static files through the finders: no collectstatic output is needed in process.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    call_command("migrate", verbosity=0)
    call_command("load_corpus", verbosity=0)
    client = Client(headers={"x-forwarded-proto": "https"})
    for url in args.urls:
        response = client.get(url)  # fill what is kept per data version
        assert response.status_code == 200, (url, response.status_code)
        sites = watch(lambda url=url: client.get(url))
        by_module = Counter(callee_module for _c, _cf, callee_module, _f in sites)
        print(f"{url}: {len(sites)} call sites enter a wcit module from another module")
        for module, n in by_module.most_common():
            print(f"  {module:<28} {n}")
        if args.list:
            for caller, caller_function, callee, function in sorted(sites):
                print(f"    {caller}.{caller_function} -> {callee}.{function}")


def watch(request):
    """The distinct (caller module, caller function, callee module, callee function) of
    every call into a ``wcit`` module from another module while ``request()`` runs."""
    sites = set()

    def profile(frame, event, arg):
        if event != "call":
            return
        callee = frame.f_globals.get("__name__", "")
        if callee != "wcit" and not callee.startswith("wcit."):
            return
        back = frame.f_back
        caller = back.f_globals.get("__name__", "") if back else ""
        if caller != callee:
            sites.add((caller, back.f_code.co_qualname, callee, frame.f_code.co_qualname))

    sys.setprofile(profile)
    try:
        request()
    finally:
        sys.setprofile(None)
    return sites


if __name__ == "__main__":
    main()
