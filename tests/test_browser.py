"""Real-browser checks: Playwright drives Debian's Chromium (/usr/bin/chromium) headless."""

import os
from pathlib import Path

import pytest

from wcit.models import Claim

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def test_read_in_the_source_scrolls_to_the_highlighted_passage(page, live_server):
    # A claim deep in a long thread, so the passage starts well below the fold.
    claim = Claim.objects.published().filter(source__slug__endswith="comment-6").last()
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_role("link", name="Read in the source").click()
    page.wait_for_url(f"**{claim.source.get_absolute_url()}#claim-{claim.pk}")

    mark = page.locator(f"mark#claim-{claim.pk}")
    assert mark.inner_text().startswith(claim.quote[:40])
    assert mark.evaluate(
        """el => {
            const r = el.getBoundingClientRect();
            return r.top >= 0 && r.top < window.innerHeight;
        }"""
    )
    assert page.evaluate("window.scrollY") > 0
    style = mark.evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).outlineStyle]"
    )
    assert style == ["rgb(255, 216, 77)", "solid"]


def test_pages_read_at_320_pixels_without_sideways_scrolling(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in ["/", "/claims/", "/countries/", "/sources/what-really-happened-in-dubai/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    context.close()


def test_skip_link_is_first_and_shows_focus(page, live_server):
    page.goto(live_server.url + "/claims/")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.href]")
    assert focused[0] == "skip-link"
    assert focused[1].endswith("#main")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_no_page_breaks_its_content_security_policy(browser, live_server):
    """CSP without unsafe-inline: Chromium reports every blocked script or style."""
    from django.contrib.auth.models import User

    context = browser.new_context()
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message),
    )
    page.on("pageerror", lambda error: violations.append(error))
    paths = [
        "/",
        "/claims/?country=se",
        "/claims/1/",
        "/sources/what-really-happened-in-dubai/",
        "/search/?q=sanctions",
        "/api/docs",
        "/admin/login/",
    ]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # Swagger UI builds its page with script: it must have run.
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=10_000)
    # The admin, signed in, for its own scripts and styles.
    User.objects.create_superuser("ada", password="a-long-admin-password-12")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "a-long-admin-password-12")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in ["/admin/", "/admin/wcit/claim/", "/admin/wcit/claim/1/change/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    context.close()
    assert not violations, [str(getattr(v, "text", v)) for v in violations]
