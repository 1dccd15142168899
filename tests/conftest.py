import os

import pytest
from django.core.cache import cache
from django.core.management import call_command

import wcit.cache
from wcit.models import Claim, Source
from wcit.settings import redis_cache

from . import standby as standby_module
from .servers import RedisServer


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the project's own fixtures once for the whole session."""
    with django_db_blocker.unblock():
        call_command("load_corpus", verbosity=0)


@pytest.fixture(autouse=True)
def fresh_page_cache(monkeypatch, settings):
    """An empty cache per test; a data change bumps the version at once.

    At once, because a test's transaction is rolled back, never committed, so
    on-commit callbacks never run; ``test_cache.py`` tests the on-commit timing itself.
    The version's copy is kept for the whole test, which may count its queries, however
    slow the machine; the tests of a sick cache set the bound back.
    """
    settings.DATA_VERSION_SECONDS = 3600
    cache.clear()
    # Each test's rollback brings the loaded version back: what a process kept of it while
    # the cache was away is another test's.
    wcit.cache._outage_memory.clear()
    monkeypatch.setattr(wcit.cache, "bump_on_commit", _bump_now)
    yield
    cache.clear()


def _bump_now(using=None):
    wcit.cache.bump_data_version()


def pytest_collection_modifyitems(items):
    # Browser tests use a live server, whose transactional teardown empties the
    # database: run them after every test that reads the loaded corpus.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def standby():
    """A throwaway PostgreSQL primary and its streaming standby (``tests.standby``), started
    once per session on free loopback ports, beside the test database, and removed at the end.
    Skips where no PostgreSQL 15 binaries are installed, unless WCIT_REQUIRE_STANDBY=1 (CI
    sets it): there a missing standby fails the tests it would have run."""
    reason = standby_module.available()
    if reason:
        if os.environ.get("WCIT_REQUIRE_STANDBY") == "1":
            pytest.fail(f"WCIT_REQUIRE_STANDBY=1 and no standby: {reason}")
        pytest.skip(f"no standby: {reason}")
    with standby_module.Standby.started() as pair:
        yield pair


@pytest.fixture
def own_redis(settings, tmp_path):
    """The site's cache on a redis-server of this test's own, which it may freeze or stop;
    the breaker pauses 1 s, the version's copy is kept 2 s."""
    server = RedisServer(tmp_path)
    config = redis_cache(server.url, "t")
    config["OPTIONS"]["pause"] = 1
    settings.CACHES = {"default": config}
    settings.SHARED_CACHE = settings.PAGE_CACHE = True
    settings.DATA_VERSION_SECONDS = 2
    yield server
    server.stop()


@pytest.fixture
def make_claim(db):
    """Build and save a valid published claim; keyword arguments override any field."""

    def make(**overrides):
        source = overrides.pop("source", None) or Source.objects.get(slug="cdt-wcit-watch-day-11")
        countries = overrides.pop("countries", [])
        clauses = overrides.pop("clauses", [])
        fields = {
            "quote": "failed to reach consensus today",
            "summary": "CDT reports that the conference failed to reach consensus.",
            "kind": Claim.Kind.FACT,
            "status": Claim.Status.PUBLISHED,
            **overrides,
        }
        claim = Claim(source=source, **fields)
        claim.full_clean()
        claim.save()
        claim.countries.set(countries)
        claim.clauses.set(clauses)
        return claim

    return make


@pytest.fixture
def grow_corpus(db):
    """Add ``n`` published claims (copies of real ones, so anchors resolve) with relations."""
    from .factories import generate_claims

    def grow(n=500):
        return generate_claims(n, relate=True)

    return grow
