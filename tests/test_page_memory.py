"""The pages a process keeps in its own memory (wcit.cache.RecentPages): never stale, bounded."""

import pytest

from wcit import cache as page_cache
from wcit.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(monkeypatch):
    """The keys each get_many of the page cache asks for, from now on."""
    calls = []
    real_get_many = page_cache.cache.get_many

    def get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "get_many", get_many)
    return calls


def test_a_page_this_process_served_costs_only_the_versions_read(client, asked):
    assert client.get("/claims/1/")["X-Cache"] == "miss"
    asked.clear()
    again = client.get("/claims/1/")
    assert again["X-Cache"] == "hit"
    assert asked == [[page_cache.VERSION_KEY, page_cache.CHECKED_KEY]]


def test_a_page_another_process_stored_comes_with_the_version(client, asked, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 0  # as if another process had stored it
    other = type(client)()
    assert other.get("/claims/1/")["X-Cache"] == "miss"
    client.get("/claims/2/")  # this process has read the version
    asked.clear()
    assert client.get("/claims/1/")["X-Cache"] == "hit"
    assert len(asked) == 1 and len(asked[0]) == 3


def test_an_edit_empties_the_processs_pages(client):
    client.get("/claims/7/")
    claim = Claim.objects.get(pk=7)
    claim.summary = "Corrected while the page sat in this process's memory."
    claim.save()
    page = client.get("/claims/7/")
    assert page["X-Cache"] == "miss"
    assert b"Corrected while the page sat" in page.content


def test_the_memory_is_bounded_least_recently_used_first_out():
    recent = page_cache.RecentPages(limit=800)
    for n in range(5):
        recent.put(f"page-{n}", (200, [], b"x" * 100))
    recent.get("page-0")
    for n in range(5, 9):
        recent.put(f"page-{n}", (200, [], b"x" * 100))
    assert recent.size <= 800
    assert recent.get("page-0") is not None  # used lately, kept
    assert recent.get("page-1") is None  # the least recently used went first
    recent.put("large", (200, [], b"x" * 101))  # over an eighth of the limit: never kept
    assert recent.get("large") is None
