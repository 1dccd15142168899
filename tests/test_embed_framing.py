"""The claim card frames in a page of another origin, in a real Chromium; the claim page
itself refuses to be framed."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .test_browser import CHROMIUM, browser, corpus  # noqa: F401 - the shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def other_site(live_server):
    """A page on another origin (its own server on a loopback port, as a blog would be)
    that frames whatever path the test asks for on this site."""

    class Article(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            body = (
                "<!doctype html><title>An article elsewhere</title>"
                f'<iframe src="{live_server.url}{self.path}"></iframe>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Article)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path, framed", [("/claims/1/embed/", True), ("/claims/1/", False)])
def test_another_site_can_frame_the_card_and_not_the_page(
    browser,  # noqa: F811 - the fixture imported above
    live_server,
    other_site,
    path,
    framed,
):
    context = browser.new_context()
    page = context.new_page()
    page.goto(other_site + path)
    frame = page.frames[1]
    frame.wait_for_load_state()
    if framed:
        assert frame.url == live_server.url + path
        assert frame.locator("blockquote").inner_text().strip()
    else:
        # Chromium replaces a refused frame with its own error page.
        assert frame.url.startswith("chrome-error:")
        assert frame.locator("main").count() == 0
    context.close()
