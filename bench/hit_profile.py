"""Where a cache hit's time goes: the WSGI application called in-process, no server.

Not a test: it measures and prints. It calls the site's WSGI handler (debug off, the page
cache in Redis db 7 under a prefix of its own) for one page N times after a first request
that fills the cache, and prints microseconds per request, then the same for the bare
Django view of ``bench.bare_settings``, the Redis commands one hit sends, and the functions
that took the most time (cProfile) over the site's hits. Run it against a database that
holds the corpus, its static files collected:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcit_cluster_bench \\
        DJANGO_STATIC_ROOT=/tmp/static .venv/bin/python bench/hit_profile.py /countries/se/

Options: -n N (2000 requests), --top N (25 functions), --gzip (the client takes gzip),
--locmem (the cache in this process's memory: the CPU a hit costs, without Redis's latency).
"""

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def environ(path, gzip):
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    if gzip:
        env["HTTP_ACCEPT_ENCODING"] = "gzip, deflate"
    return env


def run(application, path, n, gzip):
    """Microseconds per request of ``n`` requests, the statuses seen, and one request."""
    statuses = set()

    def start_response(status, headers, exc_info=None):
        statuses.add(status)

    def call():
        body = application(environ(path, gzip), start_response)
        for _ in body:
            pass
        body.close()

    call()
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n * 1e6, statuses, call


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="/countries/se/")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument(
        "--locmem", action="store_true", help="The cache in this process's memory: no Redis."
    )
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-" + "x7" * 30,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_CACHE_KEY_PREFIX=f"wcit-hit-profile-{os.getpid()}",
    )
    if args.locmem:
        os.environ["DJANGO_SHARED_CACHE"] = "1"
    else:
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/7"
    if args.bare:
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"
        args.path = "/bench/bare"
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    micros, statuses, call = run(application, args.path, args.n, args.gzip)
    print(f"{args.path}: {micros:.0f} µs a request ({', '.join(sorted(statuses))})")
    if args.bare:
        return
    bare = subprocess.run(
        [sys.executable, __file__, "--bare", "-n", str(args.n)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(bare)

    import redis
    from django.core.cache import cache

    commands = []
    original = redis.Redis.execute_command

    def counting(self, *command, **options):
        commands.append(command[0])
        return original(self, *command, **options)

    redis.Redis.execute_command = counting
    call()
    redis.Redis.execute_command = original
    print(f"Redis commands a hit: {len(commands)} ({', '.join(commands)})")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        call()
    profile.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    cache.clear()


if __name__ == "__main__":
    main()
