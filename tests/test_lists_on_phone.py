"""Lists on a phone (390×844) and on a desktop, in a real Chromium: results come before the
filter form, the filter panel sits beside them on a wide screen, and every page lines up."""

import pytest

from .test_browser import CHROMIUM, browser, corpus  # noqa: F401 - the shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Each list, and what one of its results is.
RESULTS = {
    "/claims/": ".results article.claim",
    "/claims/?country=se": ".results article.claim",
    "/disputes/": ".results li.dispute-row",
    "/search/?q=spam": "article.search-hit, .page-hits li",
}


@pytest.fixture
def open_page(browser, live_server):  # noqa: F811 - the fixture imported above
    contexts = []

    def open_page(path, viewport):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("path", list(RESULTS))
def test_the_first_phone_screen_shows_a_result(open_page, path):
    page = open_page(path, PHONE)
    first = page.locator(RESULTS[path]).first
    top = first.evaluate("el => el.getBoundingClientRect().top + window.scrollY")
    assert top < PHONE["height"] - 40, f"{path}: first result at {top:.0f}px"


def test_on_a_phone_the_filters_fold_behind_one_control_that_counts_them(open_page):
    page = open_page("/claims/?country=se&kind=fact", PHONE)
    panel = page.locator("details.filter-panel")
    assert not panel.evaluate("el => el.open")
    assert " ".join(panel.locator("summary").inner_text().split()) == "Filter 2 on"
    assert not page.locator("form.filters").is_visible()
    # The active filters stay in view, each removable.
    assert page.locator(".active-filters .remove-filter").count() == 2
    panel.locator("summary").click()
    assert page.locator("form.filters").is_visible()
    assert page.locator(".facets .facet").first.is_visible()


def test_on_a_desktop_the_filters_are_a_side_panel_with_their_counts(open_page):
    page = open_page("/claims/", DESKTOP)
    panel = page.locator("details.filter-panel")
    assert panel.evaluate("el => el.open")
    form = page.locator("form.filters").bounding_box()
    first = page.locator(".results article.claim").first.bounding_box()
    assert form["x"] + form["width"] <= first["x"], "the form sits to the left of the results"
    assert first["y"] < DESKTOP["height"]
    # The facet counts are open, not folded away.
    assert page.locator(".facets .facet .count").first.is_visible()


@pytest.mark.parametrize("path", ["/disputes/", "/speakers/", "/countries/"])
def test_every_list_lines_up_with_the_rest_of_the_site(open_page, path):
    """The disputes list once sat 24 px to the right: its body class matched a list rule."""
    left = {}
    for where in ("/claims/", path):
        page = open_page(where, DESKTOP)
        left[where] = page.locator("main h1").evaluate("el => el.getBoundingClientRect().left")
    assert left[path] == left["/claims/"]


def test_no_chart_label_runs_off_its_picture(open_page):
    """'No stance' was cut by the left edge of the stance chart; 'Quote (reported speech)'
    by the kind chart's."""
    page = open_page("/speakers/us-delegation/", PHONE)
    labels = page.evaluate(
        """() => [...document.querySelectorAll('.wcit-bars .wcit-bar-label')].map(label => {
            const box = label.getBoundingClientRect();
            const figure = label.closest('figure').getBoundingClientRect();
            return [label.textContent, box.left >= figure.left - 0.5
                && box.right <= figure.right + 0.5 && label.scrollWidth <= label.clientWidth + 1];
        })"""
    )
    assert {text for text, _ in labels} >= {"No stance", "Quote (reported speech)"}
    assert [text for text, inside in labels if not inside] == []


def test_stacked_table_rows_keep_their_column_names(open_page):
    page = open_page("/speakers/", PHONE)
    row = page.locator("table tbody tr").first
    cells = row.locator("td")
    labels = [
        cells.nth(i).evaluate("el => getComputedStyle(el, '::before').content")
        for i in range(cells.count())
    ]
    assert all(label.startswith('"') and label != '""' for label in labels), labels


def test_with_a_filter_on_no_facet_box_clips_its_rows(open_page):
    """The facet lists once had a fixed height: with a filter on, their last row was cut."""
    page = open_page("/claims/?kind=fact", DESKTOP)
    # Long enough to overflow the old 14rem box.
    assert page.locator('.facet[data-facet="country"] li').count() > 12
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.facets .facet ul')]
            .filter(list => list.scrollHeight > list.clientHeight + 1)
            .map(list => list.closest('.facet').dataset.facet)"""
    )
    assert page.locator(".facets .facet").count() >= 4
    assert clipped == []
