"""A sick cache: pages are served uncached meanwhile, with one log line per outage.

Each test that makes Redis sick uses a redis-server of its own (``tests.servers.RedisServer``,
the ``own_redis`` fixture), never the shared one on 6379.
"""

import logging

import pytest

from wcit.models import Claim

pytestmark = pytest.mark.django_db

PAGES = ["/claims/?country=se", "/claims/", "/claims/13/", "/", "/api/claims/?kind=fact"]


@pytest.mark.parametrize("fault", ["frozen", "refusing"])
def test_pages_are_served_uncached_with_one_log_line_per_outage(client, own_redis, caplog, fault):
    """Issue 21: with Redis refusing, each request logged about 11 warning lines (and with
    Redis frozen each cache access waited its timeout: 11 s for one page)."""
    for url in PAGES:
        assert client.get(url).status_code == 200
    own_redis.freeze() if fault == "frozen" else own_redis.stop()
    with caplog.at_level(logging.WARNING):
        for url in PAGES * 3:
            response = client.get(url)
            assert response.status_code == 200
            assert response.get("X-Cache") != "hit"
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert warnings[0].getMessage().startswith("Cache unavailable")
    assert not warnings[0].exc_info


def test_a_curators_save_succeeds_while_the_cache_is_away(own_redis):
    own_redis.stop()
    claim = Claim.objects.get(pk=7)
    claim.summary = "Saved while Redis is away."
    claim.save()
    assert Claim.objects.get(pk=7).summary == "Saved while Redis is away."
