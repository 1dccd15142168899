"""Search in each language: pages by their translated labels, claims still in English."""

import pytest
from bs4 import BeautifulSoup

from wcit.models import Clause, Dispute, Position

pytestmark = pytest.mark.django_db

DISPUTE = "what-made-the-conference-break-up"


def page_links(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    return page, [a["href"] for a in page.select(".page-hits a")]


@pytest.fixture
def translated():
    """A dispute's question, a side and a clause's title in French, Chinese, Russian and
    Arabic, as a translator would set them (the fixtures may not carry them yet)."""
    Dispute.objects.filter(slug=DISPUTE).update(
        question_fr="Qu’est-ce qui a fait échouer la conférence ?",
        question_zh_hans="是什么让会议破裂？",
        question_ru="Что привело к провалу конференции?",
        question_ar="ما الذي أدى إلى انهيار المؤتمر؟",
    )
    position = Position.objects.filter(dispute__slug=DISPUTE).first()
    Position.objects.filter(pk=position.pk).update(label_fr="Une querelle de procédure")
    Clause.objects.filter(code="5b").update(title_fr="Article 5B : les pourriels")
    return Dispute.objects.get(slug=DISPUTE)


@pytest.mark.parametrize(
    "prefix, query",
    [
        ("/fr", "échouer"),
        ("/fr", "échoué"),  # the French stemmer: échouer and échoué share a stem
        ("/fr", "querelle procédure"),  # a side's label
        ("/zh", "破裂"),  # by characters: Chinese has no spaces
        ("/ru", "конференция"),  # the Russian stemmer: конференции, конференция
        ("/ar", "انهيار"),
    ],
)
def test_a_dispute_is_found_by_its_translated_question_and_sides(client, translated, prefix, query):
    _page, links = page_links(client, f"{prefix}/search/?q={query}")
    assert f"{prefix}/disputes/{translated.slug}/" in links


def test_a_clause_is_found_by_its_french_title_and_still_by_its_english_one(client, translated):
    url = "/clauses/5b/"
    assert f"/fr{url}" in page_links(client, "/fr/search/?q=pourriels")[1]
    assert f"/fr{url}" in page_links(client, "/fr/search/?q=spam")[1]


def test_a_country_is_found_by_its_name_in_the_pages_language(client):
    assert "/fr/countries/se/" in page_links(client, "/fr/search/?q=Suède")[1]
    assert "/ru/countries/se/" in page_links(client, "/ru/search/?q=Швеция")[1]


def test_english_pages_do_not_search_the_translations(client, translated):
    assert f"/disputes/{translated.slug}/" not in page_links(client, "/search/?q=échouer")[1]


@pytest.mark.parametrize("prefix", ["/fr", "/ar", "/zh"])
def test_claims_are_searched_in_english_and_the_page_says_so(client, prefix):
    page, _links = page_links(client, f"{prefix}/search/?q=security")
    assert page.select(".search-hit"), "English words find the claims on a French page"
    assert page.select_one(".search-note") is not None
    english, _ = page_links(client, "/search/?q=security")
    assert english.select_one(".search-note") is None
