"""Split the five seed documents into Source texts.

The seeds (``fixtures/seeds/``) are the corpus. This module says how
``fixtures/sources.json`` was cut from them, and the corpus tests use it to
prove that every Source text is still faithful to its seed: site chrome is
dropped, comment indentation is removed, nothing is reworded.
"""

import re
from dataclasses import dataclass
from pathlib import Path

THREAD_POST = "what-really-happened-in-dubai"

# A comment in 004's thread starts with "N. " indented two spaces per level.
COMMENT_MARKER = re.compile(r"^(?P<indent>(?:  )+)(?P<number>\d+)\. (?P<rest>.*)$")


@dataclass(frozen=True)
class SeedText:
    """One Source's slug, text and parent, as cut from a seed file."""

    slug: str
    text: str
    parent: str | None = None


def _read(seed_dir, prefix):
    (path,) = Path(seed_dir).glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _cut(text, *, start=None, end=None):
    """Text between two marker strings (``end`` excluded), stripped of blank edges."""
    if start is not None:
        text = text[text.index(start) :]
    if end is not None:
        text = text[: text.index(end)]
    return text.strip("\n").rstrip()


def split_thread(thread):
    """Yield (slug, text, parent) for every comment of 004's thread.

    Comments are numbered per level ("1.", "1.", "2." ...) and nested by
    indentation; a comment's body is indented two spaces past its marker.
    """
    slugs_by_depth = []
    current = None
    for line in thread.splitlines():
        match = COMMENT_MARKER.match(line)
        if match:
            if current:
                yield current
            depth = len(match["indent"]) // 2 - 1
            del slugs_by_depth[depth:]
            # Top-level comments are "<post>-comment-N"; a reply appends "-N" to its parent.
            parent = slugs_by_depth[-1] if slugs_by_depth else THREAD_POST
            stem = parent if slugs_by_depth else f"{THREAD_POST}-comment"
            slug = f"{stem}-{match['number']}"
            slugs_by_depth.append(slug)
            body_indent = len(match["indent"]) + 2
            current = [slug, [match["rest"]], parent, body_indent]
        elif current:
            indent = current[3]
            current[1].append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
    if current:
        yield current


def seed_texts(seed_dir):
    """Every Source text the seeds hold, posts first, comments in thread order."""
    texts = [
        SeedText(
            "wsws-us-walks-out-of-wcit",
            _cut(_read(seed_dir, "000"), end="To contact the WSWS"),
        ),
        SeedText("peoples-democracy-why-the-us-walked-out", _cut(_read(seed_dir, "001"))),
        SeedText("wcit-wraps-up-without-american-support", _cut(_read(seed_dir, "002"))),
        SeedText(
            "cdt-wcit-watch-day-11",
            _cut(_read(seed_dir, "003"), end="\n-\n- [WCIT](#)"),
        ),
    ]
    blog = _read(seed_dir, "004")
    heading = "32 thoughts on “What really happened in Dubai?"
    post, thread = blog.split(heading, 1)
    thread = thread[: thread.index("Comments are closed.")]
    texts.append(SeedText(THREAD_POST, _cut(post)))
    for slug, lines, parent, _indent in split_thread(thread):
        texts.append(SeedText(slug, "\n".join(lines).strip("\n").rstrip(), parent))
    return texts
