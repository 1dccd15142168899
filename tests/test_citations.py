import json
import re
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from wcit import citations
from wcit.citations.styles import STYLES, load, once, punctuation_in_quote
from wcit.models import Claim, Source

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "csl-data.schema.json").read_text())
POST = "what-really-happened-in-dubai"


def first_claim(slug, **filters):
    return Claim.objects.published().filter(source__slug=slug, **filters).order_by("id").first()


def cdt_claim():
    return first_claim("cdt-wcit-watch-day-11")


def comment_claim():
    """A claim in John Curran's comment on Milton Mueller's post."""
    return first_claim(f"{POST}-comment-1", speaker__slug="john-curran")


def renderings(client, claim):
    """{(style, "note" or "entry"): text} as the claim's page shows them."""
    page = BeautifulSoup(client.get(claim.get_absolute_url()).content, "html.parser")
    return {
        (style.key, form): page.find(id=f"cite-{style.key}-{form}").get_text()
        for style in STYLES
        for form in ("note", "entry")
    }


def download(client, obj_url, fmt):
    response = client.get(f"{obj_url}cite.{fmt}")
    assert response.status_code == 200
    return response.content.decode()


# CSL-JSON ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda: cdt_claim().get_absolute_url(),
        lambda: comment_claim().get_absolute_url(),
        lambda: "/sources/cdt-wcit-watch-day-11/",
        lambda: f"/sources/{POST}-comment-7/",
        lambda: "/disputes/did-the-final-text-mention-the-internet/",
        lambda: "/clauses/5b/",
    ],
)
def test_the_csl_json_download_is_valid_csl_data(client, url):
    items = json.loads(download(client, url(), "json"))
    jsonschema.validate(items, SCHEMA)
    (item,) = items
    assert item["id"] and item["type"] and item["title"] and item["URL"]


def test_the_schema_refuses_a_record_without_an_id_or_with_a_misspelt_field():
    """The vendored schema can fail: the test above is not vacuous."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"type": "webpage"}], SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "webpage", "container_title": "y"}], SCHEMA)


# The CDT report: the only source with a URL ----------------------------------


def test_a_claim_from_the_cdt_report_cites_its_original_url_at_the_passage(client):
    claim = cdt_claim()
    original = Source.objects.get(slug="cdt-wcit-watch-day-11").url
    record = json.loads(download(client, claim.get_absolute_url(), "json"))[0]
    assert record["URL"].startswith(original + "#:~:text=")
    for (style, form), text in renderings(client, claim).items():
        if form == "entry":
            assert original + "#:~:text=" in text, style
            # This site's permanent link and the corpus version ride along.
            assert f"/claims/{claim.pk}/" in text and "corpus version" in text, style
    assert original + "#:~:text=" in download(client, claim.get_absolute_url(), "bib")
    assert f"UR  - {original}#:~:text=" in download(client, claim.get_absolute_url(), "ris")


def test_a_source_without_a_url_is_cited_at_this_sites_permanent_link(client):
    claim = first_claim("wsws-us-walks-out-of-wcit")
    record = json.loads(download(client, claim.get_absolute_url(), "json"))[0]
    assert record["URL"] == f"http://testserver/claims/{claim.pk}/"
    assert "#:~:text=" not in json.dumps(record)


# Comments --------------------------------------------------------------------


def test_a_comment_is_cited_as_its_authors_comment_on_the_post(client):
    claim = comment_claim()
    record = json.loads(download(client, claim.get_absolute_url(), "json"))[0]
    assert record["author"] == [{"family": "Curran", "given": "John"}]
    assert record["title"] == "Comment on Milton L Mueller, ‘What really happened in Dubai?’"
    for (style, form), text in renderings(client, claim).items():
        if form == "entry" or style == "chicago":
            assert "Curran" in text, (style, form)
            assert re.search("what really happened in dubai", text, re.IGNORECASE), style
            assert "Milton L Mueller" in text, (style, form)
        # Not the site's own label of it, nor quotation marks nested in quotation marks.
        assert "Comment 1 on" not in text and "““" not in text and "“Comment on “" not in text


def test_a_reply_to_a_comment_is_still_a_comment_on_the_post(client):
    claim = first_claim(f"{POST}-comment-1-1")
    record = json.loads(download(client, claim.get_absolute_url(), "json"))[0]
    assert "What really happened in Dubai?" in record["title"]


# Dates -----------------------------------------------------------------------


def test_no_citation_gives_a_date_its_source_does_not(client):
    """The blog post and its comments state no date: no citation of theirs has one."""
    undated = Claim.objects.published().filter(source__published=None)
    sources = list(Source.objects.filter(published=None, slug__startswith=POST))
    assert len(sources) > 10
    checked = 0
    for source in sources:
        claim = undated.filter(source=source).order_by("id").first()
        if claim is None:
            continue
        url = claim.get_absolute_url()
        record = json.loads(download(client, url, "json"))[0]
        assert "issued" not in record
        for (style, form), text in renderings(client, claim).items():
            assert "2012" not in text, (source.slug, style, form)
            if style in ("chicago", "apa") and form == "entry":
                assert "n.d." in text, (source.slug, style)
        (entry,) = bibtexparser.parse_string(download(client, url, "bib")).entries
        assert not {"year", "month", "date"} & set(entry.fields_dict)
        ris = download(client, url, "ris")
        assert not re.search(r"^(PY|DA)  - ", ris, re.MULTILINE)
        checked += 1
    assert checked > 10


# BibTeX and RIS --------------------------------------------------------------


def test_the_bibtex_parses_with_its_fields(client):
    claim = cdt_claim()
    text = download(client, claim.get_absolute_url(), "bib")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == f"wcit-claim-{claim.pk}"
    fields = {field.key: field.value for field in entry.fields}
    assert fields["title"] == "{WCIT Watch Day 11: We Cannot Compromise on the Internet}"
    # "&" escaped for TeX.
    assert fields["organization"] == r"Center for Democracy \& Technology"
    assert fields["date"] == "2012-12-13" and fields["year"] == "2012"
    assert fields["urldate"] == timezone.localdate().isoformat()


def test_bibtex_escapes_what_would_break_out_of_a_field():
    record = {
        "id": "wcit-source-x",
        "type": "post-weblog",
        "title": "Evil} @misc{pwned, title={x} 100% $5 #1 a_b ^ ~ \\ &",
        "author": [{"literal": "A} and {B"}],
        "URL": "http://example.org/a b{c}",
        "accessed": {"date-parts": [[2026, 1, 5]]},
        "archive": "wcit",
        "archive_location": "source x",
    }
    library = bibtexparser.parse_string(citations.bibtex(record))
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == "wcit-source-x"
    assert entry.fields_dict["title"].value.startswith(r"{Evil\} @misc\{pwned, title=\{x\} 100\%")
    assert entry.fields_dict["url"].value == "http://example.org/a%20b%7Bc%7D"


def test_the_ris_has_its_tags(client):
    claim = first_claim("wsws-us-walks-out-of-wcit")
    ris = download(client, claim.get_absolute_url(), "ris")
    tags = [line[:2] for line in ris.splitlines()]
    assert tags[0] == "TY" and tags[-1] == "ER"
    for tag in ("AU", "TI", "PY", "UR"):
        assert tag in tags
    assert "AU  - Reed, Kevin" in ris and "PY  - 2012" in ris
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in ris.splitlines())


def test_a_newline_in_a_field_cannot_start_a_ris_tag():
    record = {
        "id": "x",
        "type": "webpage",
        "title": "One\nER  - \nTY  - JOUR",
        "URL": "http://x/",
        "accessed": {"date-parts": [[2026, 1, 5]]},
        "archive": "wcit",
        "archive_location": "x",
    }
    lines = citations.ris(record).splitlines()
    assert [line[:2] for line in lines].count("ER") == 1
    assert [line[:2] for line in lines].count("TY") == 1


# The renderings --------------------------------------------------------------


def test_a_reported_quote_names_who_said_it_and_who_reported_it(client):
    claim = first_claim("wsws-us-walks-out-of-wcit", speaker__slug="terry-kramer")
    shown = renderings(client, claim)
    assert shown["chicago", "note"].startswith("Terry Kramer, quoted in Kevin Reed, “US Walks Out")
    assert shown["apa", "note"] == "(Terry Kramer, as cited in Reed, 2012)"
    assert shown["mla", "note"].startswith("(Terry Kramer, qtd. in Reed, ")
    # Given names whole in Chicago and MLA, initials in APA; commas inside the quotes.
    assert shown["chicago", "entry"].startswith("Reed, Kevin. “US Walks Out")
    assert shown["apa", "entry"].startswith("Reed, K. (2012, December 28).")
    assert "Technology,” World Socialist Web Site, December 28, 2012" in shown["chicago", "note"]
    assert "dition" not in " ".join(shown.values())


def test_an_unsigned_work_has_its_title_once(client):
    claim = first_claim("wcit-wraps-up-without-american-support")
    for (style, form), text in renderings(client, claim).items():
        assert text.lower().count("the wcit wraps up") == 1, (style, form)


def test_source_text_is_escaped_and_the_styles_markup_kept():
    record = {
        "id": "x",
        "type": "article-newspaper",
        "title": "<script>alert(1)</script>",
        "container-title": "A & <b>B</b>",
        "URL": "http://x/",
        "accessed": {"date-parts": [[2026, 1, 5]]},
        "archive": "wcit",
        "archive_location": "x",
    }
    for rendering in citations.render(record):
        for html in (rendering.note_html, rendering.entry_html):
            assert "<script>" not in html and "<b>" not in html
            assert "&lt;script&gt;" in html
        assert "&lt;b&gt;B&lt;/b&gt;" in rendering.entry_html
    chicago = citations.render(record)[0]
    assert "<i>A &amp; &lt;b&gt;B&lt;/b&gt;</i>" in chicago.entry_html
    assert "<i>" not in chicago.entry_text


def test_the_repairs_to_citeproc_py():
    assert punctuation_in_quote("“Title”, X. “Why?”. “T”.") == "“Title,” X. “Why?” “T.”"
    assert punctuation_in_quote("\ue010Dubai?’\ue011. n.d.") == "\ue010Dubai?’\ue011 n.d."
    assert once("“T.” “T.” Rest", "T") == "“T.” Rest"
    assert once("(“T,” “T”)", "T") == "(“T”)"
    assert once("One T only", "T") == "One T only"
    style = load("modern-language-association")
    assert style.root.get("initialize-with") is None


# Pages -----------------------------------------------------------------------


def test_a_claim_page_carries_the_citation_meta_tags_in_its_head(client):
    claim = first_claim("wsws-us-walks-out-of-wcit")
    page = BeautifulSoup(client.get(claim.get_absolute_url()).content, "html.parser")
    tags = [
        (tag["name"], tag["content"]) for tag in page.head.find_all("meta", attrs={"name": True})
    ]
    assert ("citation_title", "US walks out of World Conference on Information Technology") in tags
    assert ("citation_author", "Reed, Kevin") in tags
    assert ("citation_publication_date", "2012/12/28") in tags
    assert ("citation_date", "2012/12/28") in tags
    assert ("citation_publisher", "World Socialist Web Site") in tags
    assert ("citation_public_url", f"http://testserver/claims/{claim.pk}/") in tags
    assert not page.body.find("meta", attrs={"name": re.compile("^citation_")})


def test_an_undated_claim_page_has_no_citation_date(client):
    page = BeautifulSoup(client.get(comment_claim().get_absolute_url()).content, "html.parser")
    names = {tag.get("name") for tag in page.head.find_all("meta")}
    assert "citation_title" in names and "citation_author" in names
    assert not names & {"citation_publication_date", "citation_date", "citation_online_date"}


@pytest.mark.parametrize(
    "url",
    [
        "/sources/cdt-wcit-watch-day-11/",
        "/disputes/did-the-final-text-mention-the-internet/",
        "/clauses/5b/",
    ],
)
def test_every_citable_page_has_a_cite_block_with_its_downloads(client, url):
    page = BeautifulSoup(client.get(url).content, "html.parser")
    block = page.find("section", class_="cite")
    assert block.find(id="cite-chicago-note").get_text()
    links = {a.get_text(): a["href"] for a in block.find_all("a", download=True)}
    assert links == {
        f"{name}": f"{url}cite.{ext}"
        for ext, name in [("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")]
    }
    assert page.head.find("meta", attrs={"name": "citation_title"})
    # One Copy button for each form, naming the element it copies.
    for button in block.find_all("button", attrs={"data-copy": True}):
        assert block.find(id=button["data-copy"])


@pytest.mark.parametrize(
    "url",
    [
        "/claims/999999/cite.bib",
        "/sources/no-such-source/cite.ris",
        "/disputes/no-such-dispute/cite.json",
        "/clauses/article-99/cite.bib",
        "/claims/1/cite.txt",
    ],
)
def test_an_unknown_item_is_a_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    page = BeautifulSoup(response.content, "html.parser")
    assert "not-found" in page.body["class"]


def test_a_draft_claim_has_no_citation(client, make_claim):
    claim = make_claim(status=Claim.Status.DRAFT)
    assert client.get(f"/claims/{claim.pk}/cite.bib").status_code == 404


def test_a_download_is_never_stored_and_is_dated_the_day_it_is_fetched(client):
    response = client.get(f"{cdt_claim().get_absolute_url()}cite.json")
    assert "no-store" in response["Cache-Control"]
    assert "X-Cache" not in response
    assert response["Content-Disposition"].startswith('attachment; filename="wcit-claim-')
    record = json.loads(response.content)[0]
    assert record["accessed"] == {"date-parts": [list(timezone.localdate().timetuple()[:3])]}


def test_the_page_says_its_access_date_is_the_day_it_was_generated(client):
    page = BeautifulSoup(client.get(cdt_claim().get_absolute_url()).content, "html.parser")
    text = page.find("section", class_="cite").get_text(" ")
    assert "the day this page was generated" in text
    assert f"{timezone.localdate():%B} {timezone.localdate().year}" in text


def test_a_record_rendered_again_in_another_corpus_version_reads_as_if_rendered_afresh():
    """Each process renders a record once whatever its corpus version (citeproc takes about
    0.1 s for the three styles): the version put in afterwards reads as citeproc writes it."""
    from wcit.citations.styles import render_afresh

    claim = Claim.objects.published().select_related("source", "speaker").get(pk=13)
    today = timezone.localdate()
    first = citations.record(claim, "https://example.org/claims/13/", today, 1764876000123456)
    again = citations.record(claim, "https://example.org/claims/13/", today, 1764879999654321)
    assert citations.render(first) == render_afresh(first)
    rendered = citations.render(again)
    assert rendered == render_afresh(again)
    assert all("1764879999654321" in r.entry_text + r.note_text for r in rendered)
    assert not any("1764876000123456" in r.entry_html + r.note_html for r in rendered)
