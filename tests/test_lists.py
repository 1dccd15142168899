"""Lists a reader understands: menus by name, counts in view, an order that is explained and
mixes sources; and the small defects readers met (teasers, /api/, /favicon.ico)."""

import pytest
from bs4 import BeautifulSoup

from wcit.formats import by_name
from wcit.models import Claim, Country

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def options(soup, name):
    return [o.get_text() for o in soup.select(f'select[name="{name}"] option') if o["value"]]


@pytest.mark.parametrize("name", ["country", "source", "speaker"])
def test_menus_are_sorted_by_name(client, name):
    names = options(soup_of(client.get("/claims/")), name)
    assert len(names) > 5
    # In the Unicode collation (wcit.formats): case and accents second, punctuation before
    # letters ("WCIT – Why ..." before "WCIT Watch ...").
    assert names == by_name(names)


def test_the_country_menu_starts_with_a_name_not_a_code(client):
    names = options(soup_of(client.get("/disputes/")), "country")
    assert names[0] == "Algeria" and "United Arab Emirates" in names[-3:]
    assert len(names) == Country.objects.count()


def test_the_facet_counts_are_not_folded_away(client):
    soup = soup_of(client.get("/claims/"))
    panel = soup.select_one("details.filter-panel")
    assert panel.select_one("form.filters") and panel.select_one(".facets .facet .count")
    assert not soup.select("details details .facets"), "no fold inside the panel"


def test_the_default_order_is_explained_and_mixes_sources(client):
    soup = soup_of(client.get("/claims/"))
    assert "the most answered first" in soup.select_one("main p").get_text()
    rows = [Claim.objects.get(pk=a["data-claim"]) for a in soup.select(".results article.claim")]
    assert len({claim.source_id for claim in rows}) > 3
    answered = Claim.objects.with_answer_counts()
    counts = [
        answered.get(pk=claim.pk).rebutted_count + answered.get(pk=claim.pk).supported_count
        for claim in rows
    ]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    # The page's downloads and the API list hold its rows in its order.
    csv = b"".join(client.get("/claims.csv").streaming_content).decode()
    csv_ids = [int(line.split(",")[0]) for line in csv.splitlines()[1:6]]
    api_ids = [claim["id"] for claim in client.get("/api/claims/").json()["results"][:5]]
    assert csv_ids == api_ids == [claim.pk for claim in rows[:5]]


def test_a_chosen_order_and_a_search_say_so(client):
    assert (
        "sorted by date of the source"
        in soup_of(client.get("/claims/?sort=date")).main.p.get_text()
    )
    assert "best match first" in soup_of(client.get("/claims/?q=spam")).main.p.get_text()


def test_home_teasers_are_cut_at_a_word_with_the_whole_text_for_screen_readers(client):
    soup = soup_of(client.get("/"))
    clipped = soup.select(".home-disputes span[aria-hidden=true]")
    assert clipped, "some side label is long enough to be cut"
    for cut in clipped:
        whole = cut.find_next_sibling("span", class_="visually-hidden").get_text()
        shown = cut.get_text().removesuffix("…")
        assert whole.startswith(shown) and whole[len(shown)] in " ,;:.", (shown, whole)
        assert cut["title"] == whole


def test_the_api_answers_at_its_root_with_an_index(client):
    response = client.get("/api/")
    assert response.status_code == 200
    index = response.json()
    assert index["docs"].endswith("/api/docs") and index["openapi"].endswith("/api/openapi.json")
    for name in ("claims", "countries", "disputes"):
        assert client.get(index["lists"][name]["url"]).status_code == 200
    assert client.get(index["docs"]).status_code == 200


def test_favicon_ico_is_served(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    # Temporary: the icon's static name carries its content's hash in production.
    assert response.status_code == 302
    assert response["Location"] == static("wcit/favicon.svg")
    assert finders.find("wcit/favicon.svg")


def test_the_speakers_table_names_its_columns_on_every_cell(client):
    soup = soup_of(client.get("/speakers/"))
    for row in soup.select("table tbody tr"):
        assert all(cell.get("data-label") for cell in row.select("td"))


@pytest.mark.parametrize("name", ["site.css", "pictures.css", "embed.css"])
def test_stylesheets_close_every_block(name):
    """A block left open (a merge once dropped a media query's "}") silently moves every
    later rule inside it."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "static" / "wcit" / name).read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0
    assert depth == 0
