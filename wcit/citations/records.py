"""One CSL-JSON record for each citable page: a claim, a source, a dispute, a clause.

Every rendering (Chicago, APA, MLA), every download (BibTeX, RIS, CSL-JSON) and the
page's ``citation_*`` meta tags are made from this record and nothing else, so they
cannot disagree. A record holds only what the source gives: no date where the text
states none (the styles print "n.d."), no author where it names none, no URL where
none is known (the record then points at this site's permanent link).

What CSL has no variable for travels in ``custom`` (CSL-JSON's place for it): who
said a claim and whether the source quotes them, which the note and in-text forms
name before the source.
"""

from ..models import Claim, Clause, Dispute, Source, Speaker
from ..reading import text_fragment

SITE_NAME = "wcit: the WCIT-12 debate"

# The CSL type of each kind of source.
SOURCE_TYPES = {
    Source.Kind.NEWS: "article-newspaper",
    Source.Kind.OPINION: "article-newspaper",
    Source.Kind.BLOG_POST: "post-weblog",
    Source.Kind.COMMENT: "post-weblog",
    Source.Kind.OFFICIAL_STATEMENT: "document",
}


def csl_name(speaker):
    """A speaker as a CSL name: a person's name split into given and family names (the
    last word is the family name; what follows a comma, "Ph.D", is a suffix); a single
    word, an organisation or a delegation as a literal, never split."""
    if speaker.kind != Speaker.Kind.PERSON:
        return {"literal": speaker.name}
    name, _, suffix = (part.strip() for part in speaker.name.partition(","))
    words = name.split()
    if len(words) < 2:
        return {"literal": speaker.name}
    parts = {"family": words[-1], "given": " ".join(words[:-1])}
    if suffix:
        parts["suffix"] = suffix
    return parts


def csl_date(value):
    return {"date-parts": [[value.year, value.month, value.day]]}


def _corpus_location(what, version, permalink=None):
    """Where in this site the item is, and of which version of the corpus (if known)."""
    at = f"{what} at {permalink}" if permalink else what
    return at if version is None else f"{at}, corpus version {version}"


def _thread_root(source):
    """The post a comment belongs to, however deep the reply (one query a level)."""
    while source.parent_id:
        source = source.parent
    return source


def _work(source):
    """The CSL fields of ``source`` as a work: type, author, title, outlet, date.

    A comment is cited as a comment by its author on the post, naming the post's
    author and its blog where the post names them; its own title on this site
    ("Comment 1.1 on …") is this site's label, not the comment's.
    """
    fields = {"type": SOURCE_TYPES.get(source.kind, "document"), "language": "en"}
    if source.author:
        fields["author"] = [csl_name(source.author)]
    outlet = source.outlet
    if source.kind == Source.Kind.COMMENT:
        post = _thread_root(source)
        # Single quotes inside: the styles put the title in double ones.
        by = f"{post.author.name}, " if post.author else ""
        fields["title"] = f"Comment on {by}‘{post.title}’"
        outlet = outlet or post.outlet
    else:
        fields["title"] = source.title
    if outlet:
        fields["container-title"] = outlet
    if source.published:
        fields["issued"] = csl_date(source.published)
    return fields


def claim_record(claim, permalink, accessed, version):
    """The claim as the passage of its source it is: the source's work, the original URL
    opened at the passage where the URL is known, this site's claim and corpus version."""
    source = claim.source
    record = {"id": f"wcit-claim-{claim.pk}", **_work(source)}
    if source.url:
        record["URL"] = source.url + text_fragment(claim.quote)
        location = _corpus_location(f"claim {claim.pk}", version, permalink)
    else:
        record["URL"] = permalink
        location = _corpus_location(f"claim {claim.pk}", version)
    record.update(
        {
            "accessed": csl_date(accessed),
            "archive": SITE_NAME,
            "archive_location": location,
            "note": f"Passage: “{claim.quote}”",
        }
    )
    speaker = claim.speaker
    if speaker and speaker.pk != source.author_id:
        record["custom"] = {
            "speaker": speaker.name,
            "quoted": claim.kind == Claim.Kind.QUOTE,
        }
    return record


def source_record(source, permalink, accessed, version):
    """The source as a work, at its original URL where known, else at this site's page."""
    record = {"id": f"wcit-source-{source.slug}", **_work(source)}
    record["URL"] = source.url or permalink
    record.update(
        {
            "accessed": csl_date(accessed),
            "archive": SITE_NAME,
            "archive_location": _corpus_location(
                f"source {source.slug}", version, permalink if source.url else None
            ),
        }
    )
    return record


def page_record(obj, permalink, accessed, version):
    """A dispute or a clause: a page of this site, curated here, under no author's name
    and with no date of its own (it changes with the corpus, whose version it names)."""
    if isinstance(obj, Dispute):
        what, title = f"dispute {obj.slug}", obj.question
    else:
        what, title = f"clause {obj.code}", obj.title
    return {
        "id": f"wcit-{type(obj).__name__.lower()}-{obj.key}",
        "type": "webpage",
        "language": "en",
        "title": title,
        "URL": permalink,
        "accessed": csl_date(accessed),
        "archive": SITE_NAME,
        "archive_location": _corpus_location(what, version),
    }


def record(obj, permalink, accessed, version):
    """The CSL-JSON record of a claim, source, dispute or clause."""
    if isinstance(obj, Claim):
        return claim_record(obj, permalink, accessed, version)
    if isinstance(obj, Source):
        return source_record(obj, permalink, accessed, version)
    if isinstance(obj, Dispute | Clause):
        return page_record(obj, permalink, accessed, version)
    raise TypeError(f"Nothing to cite in {obj!r}")
