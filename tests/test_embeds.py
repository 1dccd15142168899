"""A claim card other sites can frame, its oEmbed description, and the link previews."""

import io

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from wcit.models import Claim

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_embed_card_keeps_the_quote_as_text_and_may_be_framed_anywhere(client):
    claim = Claim.objects.published().select_related("speaker", "source").get(pk=1)
    response = client.get("/claims/1/embed/")
    soup = soup_of(response)
    assert soup.blockquote.get_text(strip=True) == claim.quote
    assert claim.speaker.name in soup.select_one(".who").get_text()
    assert soup.select_one(".back a")["href"].endswith("/claims/1/")
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    # Every other page still refuses to be framed, cached or not.
    for _ in range(2):
        page = client.get("/claims/1/")
        assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
        assert page["X-Frame-Options"] == "DENY"
    again = client.get("/claims/1/embed/")
    assert "frame-ancestors *" in again["Content-Security-Policy"]


def test_a_draft_has_no_card(client):
    Claim.objects.filter(pk=1).update(status=Claim.Status.DRAFT)
    assert client.get("/claims/1/embed/").status_code == 404
    assert client.get("/claims/1/card.png").status_code == 404


def test_oembed_describes_a_claim_page_and_its_card(client):
    claim = Claim.objects.published().select_related("speaker").get(pk=1)
    response = client.get("/oembed", {"url": "http://testserver/claims/1/", "format": "json"})
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == claim.summary and data["author_name"] == claim.speaker.name
    frame = BeautifulSoup(data["html"], "html.parser").iframe
    assert frame["src"] == "http://testserver/claims/1/embed/"
    assert int(frame["width"]) == data["width"] <= 560
    small = client.get("/oembed", {"url": "http://testserver/claims/1/", "maxwidth": "300"})
    assert small.json()["width"] == 300


@pytest.mark.parametrize(
    "params, status",
    [
        ({"url": "http://testserver/claims/999999/"}, 404),
        ({"url": "http://testserver/countries/se/"}, 404),
        ({"url": "http://elsewhere.example/claims/1/"}, 404),
        ({"url": "http://testserver/claims/1/", "format": "xml"}, 501),
        ({"url": "http://testserver/claims/1/", "maxwidth": "wide"}, 400),
        ({}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_describe(client, params, status):
    response = client.get("/oembed", params)
    assert response.status_code == status
    body = response.json()
    assert body["detail"]
    if status == 400:
        assert body["problems"][0]["parameter"] in ("url", "maxwidth")


def test_claim_pages_link_their_oembed_and_preview(client):
    soup = soup_of(client.get("/claims/1/"))
    link = soup.find("link", type="application/json+oembed")
    assert client.get(link["href"]).json()["type"] == "rich"
    image = soup.find("meta", property="og:image")["content"]
    assert image.endswith("/claims/1/card.png")


@pytest.mark.parametrize(
    "page, card",
    [
        ("/claims/1/", "/claims/1/card.png"),
        ("/disputes/what-made-the-conference-break-up/", None),
        ("/countries/se/", "/countries/se/card.png"),
        ("/clauses/5b/", "/clauses/5b/card.png"),
    ],
)
def test_preview_images_are_pngs_of_1200_by_630(client, page, card):
    soup = soup_of(client.get(page))
    url = soup.find("meta", property="og:image")["content"].removeprefix("http://testserver")
    assert card is None or url == card
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    assert soup.find("meta", property="og:image:alt")["content"]


def test_an_unknown_key_has_no_preview(client):
    assert client.get("/countries/zz/card.png").status_code == 404
    assert client.get("/disputes/no-such-dispute/card.png").status_code == 404
    assert client.get("/clauses/6z/card.png").status_code == 404


def test_a_card_wraps_at_words_and_fits_whatever_the_length():
    from wcit.pictures import cards

    font, lines = cards._fit("word " * 400, 1000, 200, (40, 30))
    assert len(lines) * 30 * 1.3 <= 200 and lines[-1].endswith(" …")
    assert all(line.split()[-1] in ("word", "…") for line in lines)
    png = cards.card("Claim", "“" + "long " * 300 + "”", ["a side " * 50], "footer " * 40)
    assert Image.open(io.BytesIO(png)).size == (1200, 630)
