"""Settings for wcit, driven by the environment.

Debug is off unless DJANGO_DEBUG=1 asks for it (``make run`` and ``make test``
do). With debug off, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are required
and start-up stops loudly without them. DATABASE_URL selects PostgreSQL,
REDIS_URL a shared cache. The README's "Deploying" section lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


# Off unless asked for: a forgotten variable must not publish tracebacks and settings.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "For development set DJANGO_DEBUG=1, as `make run` and `make test` do."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else ""
    ).split(",")
    if host.strip()
]
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off (comma-separated host names)."
    )

INSTALLED_APPS = [
    # The curated labels' translations (wcit/translation.py): fields beside each label. Before
    # the admin, so that the translations are registered when the admin's classes are built.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "simple_history",
    "ninja",
    "axes",
    "wcit",
]

# Order matters: the security headers wrap everything, so the 400 and 405 answers to hostile
# requests and the pages answered from the cache carry them too; hostile requests are refused
# before anything reads them; the page cache comes before the session, so a cached page costs
# no database query.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wcit.middleware.ContentSecurityPolicyMiddleware",
    "wcit.middleware.PermissionsPolicyMiddleware",
    # The language comes from the URL's prefix (English unprefixed), before anything resolves
    # a path (Django, to find the view whose parameters the request limits check) or renders
    # an error page, and before the page cache, which keys on it.
    "wcit.middleware.LocaleMiddleware",
    # A first visit to / goes to the reader's language once (Accept-Language), before the
    # page cache could answer with the English home.
    "wcit.middleware.FirstVisitLanguageMiddleware",
    "wcit.middleware.RequestLimitsMiddleware",
    "wcit.middleware.DatabaseUnavailableMiddleware",
    "wcit.cache.PageCacheMiddleware",
    # Inside the page cache: a page is compressed once, when stored.
    "wcit.middleware.HtmlGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wcit.urls"
WSGI_APPLICATION = "wcit.wsgi.application"
ASGI_APPLICATION = "wcit.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's templates, the admin's overrides (templates/admin/) among them:
        # DIRS are searched before any app's templates, whatever the order of the apps.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "wcit.languages.alternates",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# A database that is down or stuck must cost a request seconds, not a worker: connecting
# gives up after DJANGO_DB_CONNECT_TIMEOUT seconds and PostgreSQL cancels a statement after
# DJANGO_DB_STATEMENT_TIMEOUT milliseconds. Health checks drop a connection that broke while
# idle, so the site recovers without a restart when the database returns.
DB_CONNECT_TIMEOUT = env_int("DJANGO_DB_CONNECT_TIMEOUT", 3)
DB_STATEMENT_TIMEOUT = env_int("DJANGO_DB_STATEMENT_TIMEOUT", 10_000)
# A server that is frozen cancels nothing: a query still waiting this many seconds after the
# statement timeout has its connection closed (wcit.watchdog). 0 turns the watchdog off.
DB_WATCHDOG_SLACK = env_int("DJANGO_DB_WATCHDOG_SLACK", 5)
if os.environ.get("DATABASE_URL", "unset").strip() == "":
    # More likely a secret that did not arrive than a wish for the SQLite file in the checkout:
    # serving an empty site from a file nobody backs up would hide it.
    raise ImproperlyConfigured(
        "DATABASE_URL is set but empty: give a postgres:// URL, or unset it for the embedded "
        "SQLite database (db.sqlite3)."
    )
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DB_CONNECT_TIMEOUT,
        options=f"-c statement_timeout={DB_STATEMENT_TIMEOUT}",
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same backend, but a new database file is created readable by its owner only.
    DATABASES["default"]["ENGINE"] = "wcit.sqlite3"
    # How long a write waits for another process's lock before "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=DB_CONNECT_TIMEOUT)

# Streaming replicas of the primary (DATABASE_URL) for public reads: comma-separated
# postgres:// URLs, added as the aliases replica1, replica2, ... with wcit.replicas routing
# to them (its docstring gives the rules). Unset: no router, no middleware, one database.
DATABASE_REPLICA_URLS = [
    url.strip() for url in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if url.strip()
]
# A replica lagging more than this many seconds behind the primary is not read.
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 10)
# Seconds to connect to a replica; psycopg waits at least 2 whatever is asked (a stopped
# replica on a reachable host refuses at once). A process waits on it once per pause.
DATABASE_REPLICA_CONNECT_TIMEOUT = env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 1)
# Seconds this process stops asking a replica that failed or lagged beyond the bound.
DATABASE_REPLICA_PAUSE = env_int("DATABASE_REPLICA_PAUSE", 5)
# Seconds a client reads from the primary after its own write: longer than the lag bound
# and the version copy's check (DATA_VERSION_SECONDS), so it reads its write back.
DATABASE_REPLICA_STICKY_SECONDS = env_int("DATABASE_REPLICA_STICKY_SECONDS", 15)
if DATABASE_REPLICA_URLS:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS needs DATABASE_URL to name the PostgreSQL primary."
        )
    for number, url in enumerate(DATABASE_REPLICA_URLS, start=1):
        # No health check before reuse: the router's check of each request is one, and a
        # failed check sets the replica aside (a frozen one answers neither).
        replica = dj_database_url.parse(url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60))
        if replica["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: replica {number} is not postgres://"
            )
        replica.setdefault("OPTIONS", {}).update(
            connect_timeout=DATABASE_REPLICA_CONNECT_TIMEOUT,
            options=f"-c statement_timeout={DB_STATEMENT_TIMEOUT}",
        )
        # Tests get no database of their own for it: it is the primary's copy.
        replica["TEST"] = {"MIRROR": "default"}
        DATABASES[f"replica{number}"] = replica
    DATABASE_ROUTERS = ["wcit.replicas.ReplicaRouter"]
    # Around the page cache: the replica is chosen at a request's first query, after the
    # page cache has pinned the version it is measured by; a page answered from the cache
    # reads nothing, so it costs no check.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("wcit.cache.PageCacheMiddleware"), "wcit.replicas.ReplicaMiddleware"
    )

# The page cache and the data version's copy live here: Redis shared by every process when
# REDIS_URL is set, this process's memory otherwise (fine for one process, as `make run`).
REDIS_URL = os.environ.get("REDIS_URL", "")
# A cache call waits at most this long; after a failure the process stops asking the cache for
# CACHE_PAUSE seconds and builds pages from the database (wcit.breaker). A healthy Redis answers
# in well under a millisecond; a request waits on a sick one at most once.
CACHE_TIMEOUT = env_int("DJANGO_CACHE_TIMEOUT_MS", 100) / 1000
CACHE_PAUSE = 5


def redis_cache(url, prefix):
    """The cache settings of a Redis at ``url``, its keys under ``prefix``."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "BACKEND": "wcit.breaker.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {
            "socket_connect_timeout": CACHE_TIMEOUT,
            "socket_timeout": CACHE_TIMEOUT,
            # One try: a failed call opens the breaker, which is the retry (redis-py's own
            # Redis() retries 10 times with backoff; said here, not left to its defaults).
            "retry": Retry(NoBackoff(), 0),
            "health_check_interval": 0,
            "pause": CACHE_PAUSE,
        },
    }


if REDIS_URL:
    # Several sites (or test runs) may share one Redis: each with its own prefix.
    CACHES = {"default": redis_cache(REDIS_URL, os.environ.get("DJANGO_CACHE_KEY_PREFIX", "wcit"))}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Caching by data version (pages, facet counts) needs one version seen by every process:
# Redis, or a single process (runserver with debug on). Without Redis each gunicorn worker
# would keep its own version and serve what another worker's change made stale.
# DJANGO_SHARED_CACHE=1 says there is one process only; DJANGO_PAGE_CACHE=0 turns off the
# page cache alone (facet counts stay cached per version).
SHARED_CACHE = env_bool("DJANGO_SHARED_CACHE", bool(REDIS_URL) or DEBUG)
PAGE_CACHE = SHARED_CACHE and env_bool("DJANGO_PAGE_CACHE", True)
# How long a cached page or value is kept. Every change makes it unreachable at once anyway;
# this bounds how long the unreachable ones take memory (and lets Redis evict any of them).
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 3600)
# Each process also keeps the current version's pages it served, up to this many megabytes,
# so that a hit of one reads only the version from Redis (wcit.cache.RecentPages); 0: none.
PAGE_CACHE_LOCAL_BYTES = env_int("DJANGO_PAGE_CACHE_LOCAL_MB", 16) * 1024 * 1024
# The data version is kept in the database; the cache's copy of it is checked against the
# database every this many seconds. A change saved while the cache was away (the copy could
# not be replaced) shows on every page at most this long after the cache answers again.
DATA_VERSION_SECONDS = 5
# Seconds a client is asked to wait (Retry-After) when the database is unavailable.
RETRY_AFTER = env_int("DJANGO_RETRY_AFTER", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out client before a password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The admin login locks a client out after AXES_FAILURE_LIMIT failures, for
# DJANGO_LOGIN_COOLOFF_MINUTES; a success resets its count.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "wcit.middleware.client_ip"
# How many proxies in front append to X-Forwarded-For (0: clients connect directly, and the
# lockout counts REMOTE_ADDR). Behind one TLS proxy set 1, or every client shares its address.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
AXES_VERBOSE = False
# The only login is the admin's: after it, and when ``next`` is unsafe, go to its index.
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The ITU's six languages. English is the default, served at the unprefixed URLs that existed
# before the others; Chinese is Simplified Chinese (zh-hans, the ITU's), at /zh/ (wcit.languages).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
]
# Beside templates/ and static/, at the top level: the catalogs translate those templates and
# every app's Python strings, not one app's; translators find them without opening the package.
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates as before (day month year): "en" takes en_GB's formats (wcit/formats/en).
FORMAT_MODULE_PATH = ["wcit.formats"]
# Set by the language switcher only; it decides / on later visits. Read by no script.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
# Curated labels in every language (django-modeltranslation): title_en, title_fr, ... beside
# each field registered in wcit/translation.py. An empty translation shows the English one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# The whole-corpus downloads (/download/), built once per data version and kept here, a
# folder per version; old versions are removed when a new one is built. Each app server may
# keep its own: built from one database for one site address, a version's files are the same
# bytes wherever they are built.
DOWNLOADS_ROOT = Path(os.environ.get("DJANGO_DOWNLOADS_ROOT", BASE_DIR / "downloads"))
# Seconds a request waits for a new version's files before it is served the previous
# version's (a build of 100,000 claims takes minutes, more than a worker's timeout): the
# build goes on in a thread. "none": build in the request, however long it takes (the
# default with debug on: runserver has no timeout, and a test's data is seen by its own
# database connection only).
_downloads_wait = os.environ.get("DJANGO_DOWNLOADS_WAIT", "").strip().lower()
if _downloads_wait:
    DOWNLOADS_WAIT = None if _downloads_wait == "none" else env_int("DJANGO_DOWNLOADS_WAIT", 20)
else:
    DOWNLOADS_WAIT = None if DEBUG else 20
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

if not DEBUG:
    # Behind a TLS proxy that sets X-Forwarded-Proto (and strips it from clients). Set
    # DJANGO_TRUST_X_FORWARDED_PROTO=0 when the app is reached without such a proxy.
    if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # A proxy that redirects http to https itself may turn this off (check --deploy then
    # warns W008, as it should).
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer probes /healthz over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# No inline script or style anywhere: the JSON-LD block is data, not script, and is not
# subject to script-src. django-csp leaves out the header on debug 404/500 pages only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Hostile input: longer paths, query strings or parameter values answer 400.
MAX_PATH_LENGTH = 512
MAX_QUERY_STRING_LENGTH = 2048
MAX_PARAMETER_LENGTH = 300

# The empty choice of every list filter: a reader picks a value or keeps "Any".
# In the reader's language (lazy: the language is chosen per request).
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("Any")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        # A request naming a host not in ALLOWED_HOSTS is a 400, which django.request logs in
        # one line; this logger would add a traceback per request (any scanner sends them).
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}
