"""The translation catalogs (locale/<lang>/LC_MESSAGES/django.po) and the curated labels'
translations: complete in each of the five languages besides English, and up to date."""

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

from wcit.models import Clause
from wcit.translation import TRANSLATED

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["ar", "es", "fr", "ru", "zh_Hans"]
# The public templates and the package; the admin's templates are the curators', in English.
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*.html") if "admin" not in p.parts)
PYTHON = sorted(p for p in (ROOT / "wcit").rglob("*.py") if "migrations" not in p.parts)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def catalog(language):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po, locale=language)


def marked(source):
    """(context, msgid) of each string marked in Python ``source``."""
    for _line, function, message, _comments in extract_python(
        io.BytesIO(source.encode()), KEYWORDS, [], {}
    ):
        if isinstance(message, str):
            yield None, message
        elif function.startswith(("pgettext", "npgettext")):
            yield message[0], message[1]
        else:
            yield None, message[0]


def marked_strings():
    """Every (context, msgid) marked in the templates and the package."""
    found = set()
    for path in TEMPLATES:
        # Django's own step before xgettext: a template as Python-like gettext calls.
        found.update(marked(templatize(path.read_text(), origin=str(path))))
    for path in PYTHON:
        found.update(marked(path.read_text()))
    return found


def test_every_marked_string_is_in_every_catalog():
    """A string marked since `make messages` last ran is in no catalog: translators would
    never see it. Run `make messages` (it needs gettext's xgettext) and commit the .po files."""
    wanted = {msgid for _context, msgid in marked_strings()}
    assert len(wanted) > 100
    for language in LANGUAGES:
        held = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(language) if m.id}
        missing = sorted(wanted - held)
        assert not missing, (
            f"{language}: {len(missing)} marked strings not in the catalog: {missing[:10]}"
        )


def untranslated(language):
    """The msgids of ``language``'s catalog without a translation (or only a fuzzy one)."""
    missing = []
    for message in catalog(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    return missing


def test_every_catalog_translates_every_string():
    counts = {language: len(untranslated(language)) for language in LANGUAGES}
    assert not any(counts.values()), f"untranslated strings per language: {counts}"


def test_the_catalogs_compile_and_are_read():
    """The install step's compiler gives Django catalogs it reads: a translation written in a
    .po shows on the page once `make install` (manage.py compile_catalogs) has run."""
    for language in LANGUAGES:
        path = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
        assert path.exists(), f"{path} missing: run `make install`"


def curated_untranslated():
    """{language: {"Model.field": how many records have no translation}}."""
    counts = {}
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        suffix = code.replace("-", "_")
        per_field = {}
        for model, fields in TRANSLATED.items():
            for field in fields:
                english = model._base_manager.exclude(**{f"{field}_en": ""}).exclude(
                    **{f"{field}_en__isnull": True}
                )
                missing = english.filter(**{f"{field}_{suffix}__isnull": True}).count()
                missing += english.filter(**{f"{field}_{suffix}": ""}).count()
                if missing:
                    per_field[f"{model.__name__}.{field}"] = missing
        counts[code] = per_field
    return counts


@pytest.mark.django_db
def test_a_missing_curated_translation_is_counted():
    """The count the next test reports is real: a label without its French is one missing."""
    clause = Clause.objects.get(code="5b")
    Clause.objects.filter(pk=clause.pk).update(title_fr=None)
    counts = curated_untranslated()
    assert set(counts) == {"ar", "es", "fr", "ru", "zh-hans"}
    assert counts["fr"] == {"Clause.title": 1}
    assert counts["es"] == {}


@pytest.mark.django_db
def test_every_curated_label_is_translated_into_every_language():
    counts = curated_untranslated()
    totals = {language: sum(fields.values()) for language, fields in counts.items()}
    assert not any(totals.values()), f"curated labels without a translation: {totals}; {counts}"


@pytest.mark.django_db
def test_every_translation_fits_its_field():
    """SQLite does not enforce a CharField's max_length; PostgreSQL refuses the fixture
    (a French side's label once ran to 241 characters in a 200-character field)."""
    too_long = []
    for model, fields in TRANSLATED.items():
        for field in fields:
            for code, _name in settings.LANGUAGES:
                name = f"{field}_{code.replace('-', '_')}"
                limit = model._meta.get_field(name).max_length
                if limit is None:
                    continue
                for pk, value in model._base_manager.values_list("pk", name):
                    if value and len(value) > limit:
                        too_long.append((model.__name__, pk, name, len(value), limit))
    assert not too_long
