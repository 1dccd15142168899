"""The newcomer's questions from the reading-pages issue, answered by following links from /."""

import re

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


class Reader:
    def __init__(self, client):
        self.client = client
        self.soup = None
        self.path = None

    def open(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, path
        self.path, self.soup = path, BeautifulSoup(response.content, "html.parser")
        return self

    def click(self, text, within="main"):
        links = self.soup.select_one(within).find_all("a", string=re.compile(text))
        assert links, f"no link matching {text!r} on {self.path}"
        return self.open(links[0]["href"].split("#")[0])

    def text(self):
        return self.soup.select_one("main").get_text(" ", strip=True)


def test_what_was_said_about_sweden_and_by_whom(client):
    page = Reader(client).open("/").click(r"^\d+ countries$").click("^Sweden$")
    claims = page.soup.select("#claims ~ article.claim, section article.claim")
    assert claims
    speakers = {a.get_text() for a in page.soup.select(".claim-meta a[href^='/speakers/']")}
    assert {"Center for Democracy & Technology", "John Curran"} <= speakers


def test_what_5b_says_and_who_objected(client):
    page = Reader(client).open("/").click("^Article 5B")
    assert (
        "unsolicited bulk electronic communications"
        in page.soup.select_one(".clause-text blockquote").get_text()
    )
    against = page.soup.select_one("#stance-against").parent
    assert against.select("article.claim")
    assert "United States delegation" in against.get_text()


def test_where_the_77_33_8_figure_comes_from(client):
    page = Reader(client).open("/")
    figure = next(li for li in page.soup.select(".figures li") if "77 for" in li.get_text())
    page.open(figure.select_one("a.figure-source")["href"])
    assert (
        "77 for, 33 against, 8 abstentions" in page.soup.select_one(".in-context mark").get_text()
    )
    source_link = page.soup.select_one("a.read-in-source")["href"]
    path, fragment = source_link.split("#")
    page.open(path)
    assert "77 for, 33 against" in page.soup.find("mark", id=fragment).get_text()


def test_which_claims_answer_that_the_treaty_never_mentions_the_internet(client):
    page = Reader(client).open("/").click("claims")
    page.open(page.path + "?q=nothing+in+the+final+ITRs+mentions+the+Internet")
    results = page.soup.select(".results article.claim")
    assert len(results) == 1
    page.open(results[0].select_one(".claim-summary a")["href"])
    answers = [li.get_text(" ", strip=True) for li in page.soup.select(".relations li")]
    assert any("rebuts this claim" in answer for answer in answers)
    assert any("supports this claim" in answer for answer in answers)
