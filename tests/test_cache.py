"""The page cache: keyed on the data version, never stale, conditional GET, shared through Redis."""

import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils.http import http_date

from wcit import cache as page_cache
from wcit.models import Claim, Clause, Country, Source

from .servers import SECRET, Server, base_env, manage, prepare_sqlite, redis_is_there

# Taken before conftest's fixture swaps it for an immediate bump in every test.
REAL_BUMP_ON_COMMIT = page_cache.bump_on_commit

pytestmark = pytest.mark.django_db


def summary_shown(client, url="/claims/7/"):
    return client.get(url).content.decode()


def test_second_request_is_answered_from_the_cache(client, django_assert_num_queries):
    first = client.get("/claims/?country=se")
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/claims/?country=se")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_a_curators_change_shows_on_the_next_request(client):
    """The stale-cache test: the page was cached before the change."""
    claim = Claim.objects.published().get(pk=7)
    assert claim.summary in summary_shown(client)
    assert client.get("/claims/7/")["X-Cache"] == "hit"
    claim.summary = "A summary a curator has just corrected."
    claim.save()
    page = client.get("/claims/7/")
    assert page["X-Cache"] == "miss"
    assert "A summary a curator has just corrected." in page.content.decode()


def test_a_change_through_the_admin_shows_on_the_next_public_request(client):
    claim = Claim.objects.published().filter(countries__code="SE").first()
    assert f'id="row-{claim.pk}"' in client.get("/claims/?country=se").content.decode()
    # Unpublishing is a reviewer's decision (curators submit for review).
    curator = User.objects.create_user("cora", password="x" * 20, is_staff=True)
    curator.groups.add(Group.objects.get(name="reviewer"))
    admin = type(client)()
    admin.force_login(curator)
    response = admin.post(
        "/admin/wcit/claim/", {"action": "unpublish", "_selected_action": claim.pk}
    )
    assert response.status_code == 302
    assert f'id="row-{claim.pk}"' not in client.get("/claims/?country=se").content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda: Source.objects.filter(slug="cdt-wcit-watch-day-11").first().save(),
        lambda: Claim.objects.get(pk=7).delete(),
        lambda: Claim.objects.get(pk=7).countries.add(Country.objects.get(code="SE")),
        lambda: Claim.objects.get(pk=7).clauses.clear(),
        lambda: Clause.objects.first().save(),
    ],
    ids=["save", "delete", "m2m-add", "m2m-clear", "clause"],
)
def test_every_kind_of_change_gives_a_new_version(change):
    before = page_cache.data_version()
    change()
    assert page_cache.data_version() > before


def test_load_corpus_gives_a_new_version_itself(monkeypatch):
    """Even with the save signals silent (loaddata's raw saves are not all a model's)."""
    from wcit.management.commands import load_corpus

    monkeypatch.setattr(page_cache, "bump_on_commit", lambda using=None: None)
    monkeypatch.setattr(load_corpus, "FIXTURES", [])
    monkeypatch.setattr(load_corpus, "call_command", lambda *args, **kwargs: None)
    before = page_cache.data_version()
    call_command("load_corpus", verbosity=0)
    assert page_cache.data_version() > before


def test_the_version_changes_only_when_the_transaction_commits(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Bumping before the commit would let a request cache the old rows under the new key."""
    monkeypatch.setattr(page_cache, "bump_on_commit", REAL_BUMP_ON_COMMIT)
    before = page_cache.data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for claim in Claim.objects.all()[:20]:
            claim.save()
        assert page_cache.data_version() == before
    assert len(callbacks) == 1  # one bump for the whole transaction
    assert page_cache.data_version() > before


def test_each_new_version_is_in_a_later_second():
    """Last-Modified has whole seconds: two versions must never share one."""
    first = page_cache.bump_data_version()
    second = page_cache.bump_data_version()
    assert second // 1_000_000 > first // 1_000_000


def test_etag_and_last_modified_come_from_the_data_version(client):
    response = client.get("/claims/1/")
    version = page_cache.data_version()
    assert response["ETag"].startswith(f'"{version:x}-')
    assert response["Last-Modified"] == http_date(version // 1_000_000)
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    # Another URL, another representation: another ETag.
    assert client.get("/claims/2/")["ETag"] != response["ETag"]


@pytest.mark.parametrize("url", ["/claims/1/", "/claims/?kind=fact", "/api/claims/?country=se"])
def test_conditional_request_gets_304_until_the_data_changes(client, url):
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    time.sleep(0.01)
    Claim.objects.get(pk=1).save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def page_key(url):
    digest = page_cache._digest(f"http://testserver{url} gzip=False")
    return f"page:{page_cache.data_version()}:en:{digest}"


def test_pages_are_compressed_once_and_stored_per_encoding(client):
    import gzip

    plain = client.get("/claims/?country=se")
    first = client.get("/claims/?country=se", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    again = client.get("/claims/?country=se", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain
    assert first["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert len(first.content) < len(plain.content) / 3
    assert gzip.decompress(first.content) == plain.content
    assert "Accept-Encoding" in first["Vary"]
    # The JSON twin is left uncompressed (for the proxy to compress, if it will).
    api = client.get("/api/claims/?country=se", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in api
    # Two representations, two validators.
    assert first["ETag"] != plain["ETag"]
    assert (
        client.get(
            "/claims/?country=se", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"]
        ).status_code
        == 200
    )


def test_304_even_when_the_entry_was_evicted(client):
    etag = client.get("/claims/1/")["ETag"]
    assert cache.delete(page_key("/claims/1/"))
    assert client.get("/claims/1/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_signed_in_users_are_never_served_from_or_stored_in_the_cache(client):
    client.get("/claims/")
    client.force_login(User.objects.create_user("cora", password="x" * 20, is_staff=True))
    response = client.get("/claims/")
    assert "X-Cache" not in response
    assert "ETag" not in response


@pytest.mark.parametrize(
    "url, reason",
    [
        ("/countries/zz/", "a 404"),
        ("/claims/?kind=banana", "a 400"),
        ("/claims.csv", "a streamed download"),
        ("/healthz", "the health check"),
        ("/admin/login/", "the admin"),
    ],
)
def test_what_is_not_cached(client, url, reason):
    client.get(url)
    assert "X-Cache" not in client.get(url), reason


def test_the_page_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE = False
    client.get("/claims/1/")
    assert "X-Cache" not in client.get("/claims/1/")
    # Counts stay cached per version.
    facts = Claim.objects.published().filter(kind="fact")
    assert page_cache.per_version(facts.count) == facts.count()
    Claim.objects.filter(pk__in=facts.values("pk")[:1]).update(kind="opinion")  # no signal
    assert page_cache.per_version(facts.count) == facts.count() + 1


def test_nothing_is_cached_by_version_where_the_cache_is_not_shared(client, settings):
    settings.SHARED_CACHE = settings.PAGE_CACHE = False
    facts = Claim.objects.published().filter(kind="fact")
    assert page_cache.per_version(facts.count) == facts.count()
    Claim.objects.filter(pk__in=facts.values("pk")[:1]).update(kind="opinion")
    assert page_cache.per_version(facts.count) == facts.count()


def test_values_kept_per_version_are_keyed_by_their_query(settings):
    """Two selections never share an entry: the key is the SQL, not a name typed by hand."""
    facts = Claim.objects.published().filter(kind="fact")
    opinions = Claim.objects.published().filter(kind="opinion")
    assert page_cache.per_version(facts.count) == facts.count()
    assert page_cache.per_version(opinions.count) == opinions.count() != facts.count()
    groups = page_cache.per_version(facts.group_ids, "stance", 2)
    assert groups == facts.group_ids("stance", 2) != facts.group_ids("stance", 3)
    assert page_cache.per_version(facts.group_ids, "stance", 3) == facts.group_ids("stance", 3)


def test_values_kept_per_version_are_kept_per_language():
    """What is kept (the map, the timeline, the matrix) holds interface words and curated
    labels: one language's is never served to another language's reader."""
    from django.utils import translation

    with translation.override("en"):
        english = page_cache.per_version(translation.get_language)
    with translation.override("fr"):
        french = page_cache.per_version(translation.get_language)
    assert (english, french) == ("en", "fr")


def test_a_value_kept_per_version_must_be_named_by_its_function():
    with pytest.raises(TypeError, match="no name of its own"):
        page_cache.per_version(lambda: 1)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DJANGO_DEBUG": "0"}, "False"),
        ({"DJANGO_DEBUG": "0", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "True"),
        ({"DJANGO_DEBUG": "0", "DJANGO_PAGE_CACHE": "1"}, "False"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SHARED_CACHE": "1"}, "True"),
        ({"DJANGO_DEBUG": "1"}, "True"),
        ({"DJANGO_DEBUG": "1", "DJANGO_PAGE_CACHE": "0"}, "False"),
    ],
)
def test_page_cache_is_on_only_where_every_process_shares_the_version(env, expected):
    """Per-process caches in production would serve pages another worker's change made stale."""
    import subprocess
    import sys

    from .servers import ROOT

    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.PAGE_CACHE)"],
        env=base_env(DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="x", **env),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_head_is_answered_from_the_cache(client, django_assert_num_queries):
    client.get("/claims/1/")
    with django_assert_num_queries(0):
        response = client.head("/claims/1/")
    assert response.status_code == 200
    assert response["X-Cache"] == "hit"


def facet_queries(url):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert Client().get(url).status_code == 200
    # The facets count rows of the link tables; the page's own rows never group them.
    return [
        query
        for query in context.captured_queries
        if "GROUP BY" in query["sql"] and "wcit_claim_countries" in query["sql"].split("FROM")[1]
    ]


def test_facet_counts_are_computed_once_per_data_version():
    assert facet_queries("/claims/?kind=fact")
    # Another page of the same selection: another page to build, the same facets.
    assert not facet_queries("/claims/?kind=fact&page=2")
    Claim.objects.get(pk=1).save()
    assert facet_queries("/claims/?kind=fact&page=2")


def test_a_new_choice_is_offered_on_the_next_request(client):
    """The filters' choices come from the database: a clause added since is allowed."""
    assert client.get("/claims/?clause=article-7").status_code == 400
    Clause.objects.create(code="article-7", title="Article 7", kind="article", position=90)
    response = client.get("/claims/?clause=article-7")
    assert response.status_code == 200
    assert '<option value="article-7" selected>Article 7</option>' in response.content.decode()


def test_the_count_is_taken_once_per_data_version(client, settings):
    def counts(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return [q for q in context.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]

    settings.PAGE_CACHE = False  # which would answer without a query at all
    assert counts("/claims/?kind=fact&page=2")
    assert not counts("/claims/?kind=fact&page=3")
    assert not counts("/api/claims/?kind=fact")
    before = Claim.objects.published().filter(kind="fact").count()
    Claim.objects.filter(kind="fact", status="published").first().delete()
    assert counts("/claims/?kind=fact&page=2")
    assert client.get("/api/claims/?kind=fact").json()["count"] == before - 1


def test_the_filters_and_facet_counts_follow_the_data(client, settings, make_claim):
    """The filter block is kept per data version and query: a new claim shows in it."""
    from bs4 import BeautifulSoup

    def sweden_count():
        html = client.get("/claims/?kind=fact&country=se").content
        link = BeautifulSoup(html, "html.parser").select_one(
            'section[data-facet="country"] a[data-value="se"]'
        )
        return int(link.find_next_sibling("span", class_="count").get_text())

    settings.PAGE_CACHE = False
    before = sweden_count()
    assert sweden_count() == before  # from the kept block
    make_claim(countries=[Country.objects.get(code="SE")])
    assert sweden_count() == before + 1


@pytest.fixture
def version_reads(monkeypatch):
    """How often the data version is read from the shared cache from now on."""
    reads = []
    real_get_many = page_cache.cache.get_many
    monkeypatch.setattr(
        page_cache.cache,
        "get_many",
        lambda keys, *args, **kwargs: (
            reads.extend(key for key in keys if key == page_cache.VERSION_KEY)
            or real_get_many(keys, *args, **kwargs)
        ),
    )
    return reads


def test_a_request_reads_the_data_version_once(client, settings, request):
    settings.PAGE_CACHE = False
    page_cache.data_version()  # the first read of an empty cache also sets it
    reads = request.getfixturevalue("version_reads")
    assert client.get("/claims/?country=se").status_code == 200
    # Choices, facet counts and the count all hang on the version, read once.
    assert len(reads) == 1


# Two app processes sharing Redis ------------------------------------------------


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    if not redis_is_there():
        pytest.skip("needs Redis on 127.0.0.1:6379 (this test starts none)")
    folder = tmp_path_factory.mktemp("shared-redis")
    database_url = prepare_sqlite(folder / "db.sqlite3")
    env = base_env(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=database_url,
        REDIS_URL="redis://127.0.0.1:6379/0",
        # Keys of this run only: nothing shared with another run or another program.
        DJANGO_CACHE_KEY_PREFIX=f"wcit-test-{time.time_ns()}",
    )
    servers = [Server(env, folder / f"gunicorn-{n}.log") for n in (1, 2)]
    yield servers, env
    for server in servers:
        server.stop()
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=0)
    keys = list(client.scan_iter(f"{env['DJANGO_CACHE_KEY_PREFIX']}:*"))
    if keys:
        client.delete(*keys)


def test_two_processes_share_the_cache_and_see_a_change_at_once(two_servers):

    (one, two), env = two_servers
    headers = {"Host": "127.0.0.1"}
    status, first, body = one.get("/claims/7/", headers)
    assert status == 200 and first["X-Cache"] == "miss"
    # The other process finds the page the first one stored.
    status, second, _body = two.get("/claims/7/", headers)
    assert second["X-Cache"] == "hit"
    assert second["ETag"] == first["ETag"]
    # A curator's change, made by a third process, as the admin would make it.
    manage(
        env,
        "shell",
        "-c",
        "from wcit.models import Claim; c = Claim.objects.get(pk=7); "
        "c.summary = 'Corrected by a curator in another process.'; c.save()",
    )
    for server in (two, one):
        status, headers_seen, body = server.get("/claims/7/", headers)
        assert status == 200
        assert b"Corrected by a curator in another process." in body
        assert headers_seen["ETag"] != first["ETag"]
    # And a conditional request with the old ETag is answered in full.
    status, _headers, _body = one.get("/claims/7/", {**headers, "If-None-Match": first["ETag"]})
    assert status == 200


# What the page cache stores, and for how long ------------------------------------


def redis_keys(server):
    import redis

    return redis.Redis.from_url(server.url).keys("*")


def test_unknown_parameters_add_nothing_to_the_cache(client, own_redis):
    """Issue 21: 200 requests with ?utm_source=xN added about 46 MB to Redis."""
    url = "/sources/what-really-happened-in-dubai/"
    assert client.get(url).status_code == 200
    stored = len(redis_keys(own_redis))
    for n in range(200):
        client.get(f"{url}?utm_source=x{n}")
    assert len(redis_keys(own_redis)) == stored


def test_three_hundred_unknown_parameters_store_no_page(client, own_redis):
    """Issue 21: /claims/?p0=1&…&p299=1 answered a 322 KB page and stored it."""
    assert client.get("/claims/").status_code == 200
    stored = len(redis_keys(own_redis))
    response = client.get("/claims/?" + "&".join(f"p{i}=1" for i in range(300)))
    assert response.status_code != 200
    assert len(redis_keys(own_redis)) == stored


def test_everything_the_site_stores_expires(client, own_redis):
    """So that Redis's maxmemory policy may evict any of it: memory bounded whatever comes."""
    import redis

    for url in ["/", "/claims/?country=se", "/countries/se/", "/api/claims/?kind=fact"]:
        assert client.get(url).status_code == 200
    connection = redis.Redis.from_url(own_redis.url)
    keys = connection.keys("*")
    assert keys
    assert {key: connection.ttl(key) for key in keys if connection.ttl(key) < 0} == {}


def test_cached_pages_carry_the_settings_policy_built_once(client, settings):
    """The policy is built once a process (wcit.middleware.ContentSecurityPolicyMiddleware):
    a hit carries the same header as django-csp builds, and a changed setting is seen."""
    from csp.utils import build_policy

    first, again = client.get("/claims/1/"), client.get("/claims/1/")
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    policy = {part.strip() for part in build_policy().split(";")}
    for response in (first, again):
        assert {part.strip() for part in response["Content-Security-Policy"].split(";")} == policy
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    assert client.get("/claims/1/")["Content-Security-Policy"] == "default-src 'self'"
