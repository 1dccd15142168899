"""Countries compared, in a real browser: the first screen of a phone answers."""

import pytest

# The real-browser fixtures (Debian's Chromium, the live server, the corpus reloaded).
from .test_browser import CHROMIUM, browser, corpus  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"
    ),
]


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def test_first_screen_of_a_phone_shows_both_countries_statuses(phone, live_server):
    phone.goto(live_server.url + "/countries/compare/?c=us&c=se")
    for name, status in [("United States of America", "Walked out"), ("Sweden", "Undecided")]:
        item = phone.locator(".compare-glance li", has_text=name)
        badge = item.locator(".status")
        assert badge.inner_text() == status
        box = badge.bounding_box()
        assert box and box["width"] > 0
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, (name, box)
    # Nothing runs off the side: the page is no wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
