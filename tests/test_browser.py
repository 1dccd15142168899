"""Real-browser checks: Playwright drives Debian's Chromium (/usr/bin/chromium) headless."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from wcit.models import Claim, Dispute, Source

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


@pytest.fixture(autouse=True)
def corpus(live_server):
    """The corpus, again: each live-server test ends by emptying the database."""
    call_command("load_corpus", "--if-empty", verbosity=0)


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
    for path in [
        "/",
        "/claims/",
        "/countries/",
        "/countries/us/",
        "/clauses/5b/",
        "/disputes/",
        "/disputes/what-made-the-conference-break-up/",
        "/sources/what-really-happened-in-dubai/",
        "/speakers/milton-mueller/",
    ]:
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


def in_view(locator):
    return locator.evaluate(
        """el => {
            const r = el.getBoundingClientRect();
            return r.top >= 0 && r.top < window.innerHeight;
        }"""
    )


def test_a_dispute_from_the_home_page_to_both_sides_passages(page, live_server):
    dispute = Dispute.objects.first()
    page.goto(live_server.url + "/")
    page.locator(".home-disputes").get_by_role("link", name=dispute.question).click()
    page.wait_for_url(f"**{dispute.get_absolute_url()}")
    assert page.locator("h1").inner_text() == dispute.question
    for position in list(dispute.positions.all())[:2]:
        link = page.locator(f"#side-{position.key} a.passage-link").first
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(f"**{href}")
        claim = Claim.objects.get(pk=int(href.rsplit("#claim-", 1)[1]))
        assert position.claims.filter(pk=claim.pk).exists()
        mark = page.locator(f"mark#{claim.dom_id}")
        assert mark.inner_text().startswith(claim.quote[:30])
        assert in_view(mark)
        page.go_back()
        page.wait_for_url(f"**{dispute.get_absolute_url()}")


PHONE = {"width": 390, "height": 844}
POST = "/sources/what-really-happened-in-dubai/"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def screens(page):
    return page.evaluate("document.documentElement.scrollHeight / window.innerHeight")


def test_every_dispute_page_reads_in_four_phone_screens_each_claim_once(phone, live_server):
    for dispute in Dispute.objects.all():
        phone.goto(live_server.url + dispute.get_absolute_url())
        assert screens(phone) <= 4, dispute.slug
        marked, linked = phone.evaluate(
            """() => [
                [...document.querySelectorAll('main [data-claim]')].map(e => e.dataset.claim),
                [...document.querySelectorAll('main a[href]')]
                    .map(a => a.getAttribute('href').match(/^\\/claims\\/(\\d+)\\/$/))
                    .filter(Boolean).map(m => m[1]),
            ]"""
        )
        assert marked and len(marked) == len(set(marked)), dispute.slug
        assert sorted(linked) == sorted(marked), dispute.slug


def test_the_exchange_leads_to_a_claim_in_a_closed_fold(phone, live_server):
    phone.goto(live_server.url + "/disputes/what-made-the-conference-break-up/")
    phone.locator("details.exchange-fold > summary").click()
    # A claim the exchange names by its tag, folded on its side.
    href = phone.evaluate(
        """() => [...document.querySelectorAll('.exchange-thread a.claim-tag')]
            .map(a => a.getAttribute('href'))
            .find(href => document.querySelector(href).closest('details:not([open])'))"""
    )
    tag = phone.locator(f'.exchange-thread a.claim-tag[href="{href}"]')
    target = phone.locator(href)
    assert not target.is_visible()
    tag.click()
    assert target.is_visible() and in_view(target)


def test_the_blog_posts_contents_are_within_its_first_two_phone_screens(phone, live_server):
    phone.goto(live_server.url + POST)
    contents = phone.locator("nav.source-toc")
    box = contents.bounding_box()
    assert box["y"] + box["height"] <= 2 * PHONE["height"]
    assert contents.locator("ol.toc a").count() == 17
    contents.locator('a[href$="-comment-6-1"]').click()
    heading = phone.locator("#heading-what-really-happened-in-dubai-comment-6-1")
    assert in_view(heading)
    assert screens(phone) < 30, "the 17 replies fold (the page was 53.8 phone screens)"


def test_a_passage_in_a_folded_reply_shows_when_its_link_is_followed(browser, live_server):
    """With the script or without it, Chromium opens the fold; site.js does it where a
    browser does not, as after the reader folds the reply back."""
    for script in (True, False):
        context = browser.new_context(viewport=PHONE, java_script_enabled=script)
        page = context.new_page()
        page.goto(live_server.url + POST)
        fold = page.locator("#reply-what-really-happened-in-dubai-comment-6 > article > details")
        mark_id = fold.locator("mark[id]").last.get_attribute("id")
        assert not page.locator(f"mark#{mark_id}").is_visible()
        page.goto(f"{live_server.url}{POST}#{mark_id}")
        mark = page.locator(f"mark#{mark_id}")
        assert mark.is_visible() and in_view(mark), script
        context.close()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{POST}#{mark_id}")
    refolded = page.evaluate(
        """id => {
            const fold = document.getElementById(id).closest('details');
            fold.open = false;
            window.dispatchEvent(new HashChangeEvent('hashchange'));
            return fold.open;
        }""",
        mark_id,
    )
    assert refolded
    # A claim listed under a fold leads into it.
    page.goto(live_server.url + POST)
    listed = page.locator(
        "#reply-what-really-happened-in-dubai-comment-7 .fold-claims a.note-number"
    )
    href = listed.first.get_attribute("href")
    listed.first.click()
    assert in_view(page.locator(f"mark{href}"))
    context.close()


def test_keyboard_goes_from_a_passage_to_its_claim_and_back(page, live_server):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    page.goto(live_server.url + source.get_absolute_url())
    ref = page.locator(".reading a.claim-ref").first
    note_id = ref.get_attribute("href").removeprefix("#")
    ref.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#{note_id}")
    note = page.locator(f"li#{note_id}")
    assert note.evaluate("el => el.matches(':target')")
    # The next Tab lands in the note: its number leads back to the passage.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "note-number"
    back = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{back}")
    mark = page.locator(f"mark{back}")
    assert in_view(mark)
    assert mark.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"


def test_clicking_a_passage_selects_its_claim(page, live_server):
    source = Source.objects.get(slug="cdt-wcit-watch-day-11")
    page.goto(live_server.url + source.get_absolute_url())
    # A passage no other passage overlaps, so that the click lands on it alone.
    mark = page.locator(".reading p > mark[id]:not(:has(mark)):not(mark mark)").nth(1)
    claim_id = mark.get_attribute("data-claim")
    mark.click()
    note = page.locator(f"#note-{claim_id}")
    assert "is-active" in note.get_attribute("class")
    assert page.evaluate("document.activeElement.className") == "note-summary"


@pytest.fixture
def admin_page(browser, live_server, django_user_model):
    from django.core.management import call_command

    from wcit.models import Source

    # An earlier live-server test's teardown may have emptied the database.
    if not Source.objects.exists():
        call_command("load_corpus", verbosity=0)
    django_user_model.objects.create_superuser("ada", "ada@example.org", "pick-passages-12")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pick-passages-12")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page
    context.close()


def _repeated_phrase():
    """A source and a phrase that occurs in it more than once, with its second offset."""
    from wcit.models import Source

    source = Source.objects.get(slug="wsws-us-walks-out-of-wcit")
    phrase = "the treaty"
    first = source.text.index(phrase)
    second = source.text.index(phrase, first + 1)
    return source, phrase, second


def _save_claim(page, summary):
    page.fill("#id_summary", summary)
    page.select_option("#id_kind", "fact")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/wcit/claim/")


def test_selecting_text_in_the_source_fills_quote_and_prefix_and_saves(admin_page, live_server):
    from wcit import anchoring

    source, phrase, second = _repeated_phrase()
    page = admin_page
    page.goto(f"{live_server.url}/admin/wcit/claim/add/?source={source.pk}")
    body = page.locator(".passage-picker-text")
    body.filter(has_text=phrase).wait_for()
    # Select the second occurrence as a mouse drag would, then release the button.
    page.evaluate(
        """([start, end]) => {
            const body = document.querySelector('.passage-picker-text');
            const node = body.firstChild;
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, end);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            body.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""",
        [second, second + len(phrase)],
    )
    assert page.input_value("#id_quote") == phrase
    prefix, suffix = page.input_value("#id_prefix"), page.input_value("#id_suffix")
    assert prefix or suffix
    assert page.locator(".passage-picker-current").inner_text() == phrase

    _save_claim(page, "Picked with the passage picker.")
    claim = Claim.objects.get(summary="Picked with the passage picker.")
    assert (claim.quote, claim.prefix, claim.suffix) == (phrase, prefix, suffix)
    anchor = anchoring.resolve(source.text, claim.quote, claim.prefix, claim.suffix)
    assert anchor.start == second
    # The shortest: one character less and it would not be unique.
    shorter = (prefix[1:], suffix) if prefix else (prefix, suffix[:-1])
    with pytest.raises(anchoring.AnchorError):
        anchoring.resolve(source.text, phrase, *shorter)


def test_keyboard_path_types_words_and_picks_an_occurrence(admin_page, live_server):
    from wcit import anchoring

    source, phrase, second = _repeated_phrase()
    page = admin_page
    page.goto(f"{live_server.url}/admin/wcit/claim/add/?source={source.pk}")
    page.locator(".passage-picker-text").filter(has_text=phrase).wait_for()
    page.locator(".passage-picker-find").focus()
    page.keyboard.type("THE Treaty")  # case and quotation marks are forgiven
    lowered = source.text.lower()
    starts = [i for i in range(len(lowered)) if lowered.startswith(phrase, i)]
    assert page.locator(".passage-picker-match").count() == len(starts)
    occurrence = starts.index(second)
    for _ in range(occurrence + 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "passage-picker-match"
    page.keyboard.press("Enter")
    assert page.input_value("#id_quote") == phrase

    _save_claim(page, "Picked with the keyboard.")
    claim = Claim.objects.get(summary="Picked with the keyboard.")
    assert anchoring.resolve(source.text, claim.quote, claim.prefix, claim.suffix).start == second


def test_claim_admin_fits_1280_pixels_and_titles_clear_the_tools(admin_page, live_server):
    from wcit.models import ClaimRelation

    page = admin_page
    page.goto(live_server.url + "/admin/wcit/claim/")
    overflow = page.evaluate(
        """() => [document.documentElement, document.querySelector('#changelist .results')]
            .map(el => el.scrollWidth - el.clientWidth)"""
    )
    assert overflow == [0, 0]

    # The longest summary makes the longest title.
    claim = max(
        ClaimRelation.objects.select_related("from_claim"), key=lambda r: len(r.from_claim.summary)
    ).from_claim
    page.goto(f"{live_server.url}/admin/wcit/claim/{claim.pk}/change/")
    title = page.locator("#content > h2").bounding_box()
    for tool in page.locator(".object-tools a").all():
        box = tool.bounding_box()
        assert box["y"] >= title["y"] + title["height"] or box["x"] >= title["x"] + title["width"]
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        == 0
    )
    assert (
        page.locator("#relations_out-group h2").first.inner_text().lower()
        == "relations to other claims"
    )


def test_clause_text_inline_has_the_passage_picker_too(admin_page, live_server):
    from wcit import anchoring
    from wcit.models import ClauseText

    text = ClauseText.objects.select_related("clause", "source").order_by("id").first()
    words = text.source.text[text.anchor.start : text.anchor.end]
    page = admin_page
    page.goto(f"{live_server.url}/admin/wcit/clause/{text.clause.pk}/change/")
    picker = page.locator(".passage-picker").first
    picker.locator(".passage-picker-text").filter(has_text=words[:30]).wait_for()
    page.fill("#id_texts-0-quote", "")
    picker.locator(".passage-picker-find").fill(words)
    picker.locator(".passage-picker-match").first.click()
    assert page.input_value("#id_texts-0-quote") == words
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/wcit/clause/")
    text.refresh_from_db()
    anchor = anchoring.resolve(text.source.text, text.quote, text.prefix, text.suffix)
    assert text.source.text[anchor.start : anchor.end] == words


def test_the_maps_country_links_lead_to_the_country_pages(page, live_server):
    page.goto(live_server.url + "/countries/")
    link = page.locator('svg a[aria-label="Sweden: undecided"]')
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/countries/se/")
    assert page.locator("h1").inner_text() == "Sweden"
    # A country the sources do not name is grey land, not a link.
    page.goto(live_server.url + "/countries/")
    assert page.locator('svg a[href="/countries/mx/"]').count() == 0


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


# Pictures on a phone (issue 19) ---------------------------------------------------------

PHONE = {"width": 390, "height": 844}

# Every text a picture shows, as rendered: an SVG text's font size times the scale its
# drawing is shown at, an HTML text's font size as computed. Visually hidden words count too.
PICTURE_TEXT_SIZES = """() => {
    const sizes = [];
    for (const figure of document.querySelectorAll('figure.wcit-picture')) {
        for (const el of figure.querySelectorAll('*')) {
            const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
            if (!own || !el.getClientRects().length) continue;
            let size = parseFloat(getComputedStyle(el).fontSize);
            if (el instanceof SVGElement) {
                const m = el.getScreenCTM();
                size *= Math.hypot(m.a, m.b);
            }
            sizes.push([Math.round(size * 100) / 100, el.tagName, el.textContent.slice(0, 40)]);
        }
    }
    return sizes;
}"""


def test_no_picture_text_under_12_pixels_on_a_phone(browser, live_server):
    from wcit.models import Clause, Country, Speaker

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    source = Source.objects.get(slug="what-really-happened-in-dubai")
    paths = [
        "/",
        "/countries/",  # the full map and the timeline
        "/countries/by-clause/",
        Country.objects.get(code="US").get_absolute_url(),
        Clause.objects.get(code="5b").get_absolute_url(),
        Speaker.objects.get(slug="us-delegation").get_absolute_url(),  # the tally charts
        source.get_absolute_url(),
    ]
    svg_texts = 0
    for path in paths:
        page.goto(live_server.url + path)
        sizes = page.evaluate(PICTURE_TEXT_SIZES)
        small = [s for s in sizes if s[0] < 12]
        assert not small, (path, small[:5])
        svg_texts += sum(1 for _, tag, _ in sizes if tag == "text")
    # The timeline draws its words as SVG text: the check above read some.
    assert svg_texts > 20
    context.close()


def test_the_country_column_stays_in_view_when_the_matrix_scrolls_right(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/countries/by-clause/")
    box = page.locator(".wcit-matrix-picture .wcit-scroll")
    scrolled = box.evaluate("el => { el.scrollLeft = el.scrollWidth; return el.scrollLeft; }")
    assert scrolled > 100, "the table is wider than a phone: it scrolls"
    heads = page.locator(".wcit-matrix .wcit-corner, .wcit-matrix tbody th")
    assert heads.count() > 10
    for i in range(heads.count()):
        head = heads.nth(i)
        # Scroll the page (not the table) to the heading; then it must be on screen and on
        # top: the point at its middle is the heading, not a cell scrolled under it.
        on_top = head.evaluate(
            """el => {
                window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200);
                const r = el.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return r.left >= 0 && r.right <= window.innerWidth && el.contains(hit);
            }"""
        )
        assert on_top, head.inner_text()
    assert box.evaluate("el => el.scrollLeft") == scrolled
    # The last clause column is the one in view at the right.
    last = page.locator(".wcit-matrix thead th").last.bounding_box()
    assert last["x"] + last["width"] <= PHONE["width"]
    context.close()
