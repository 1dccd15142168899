"""Compile locale/*/LC_MESSAGES/*.po into the .mo files Django reads, in pure Python.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``; Babel does the same job, so a
fresh clone serves its translations after ``make install`` with no system package.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po) under LOCALE_PATHS into .mo files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--plural-slots",
            action="store_true",
            help="First give each plural entry of a .po as many msgstr[n] as its language has "
            "forms (Arabic six, Russian four, Chinese one): makemessages writes two for a new "
            "catalog whatever the language (make messages runs this).",
        )

    def handle(self, *args, **options):
        compiled = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                locale = po_path.parent.parent.name
                with po_path.open("rb") as po:
                    catalog = read_po(po, locale=locale)
                if options["plural_slots"]:
                    _give_plural_slots(catalog)
                    with po_path.open("wb") as po:
                        write_po(po, catalog, width=79)
                # Fuzzy entries are guesses awaiting review: left out, as msgfmt does.
                with po_path.with_suffix(".mo").open("wb") as mo:
                    write_mo(mo, catalog, use_fuzzy=False)
                compiled += 1
        if options["verbosity"]:
            self.stdout.write(f"Compiled {compiled} catalogs.")


def _give_plural_slots(catalog):
    """Pad or trim each plural entry's empty translations to the language's number of forms
    (Babel pads as it reads). A translation already written is never dropped."""
    for message in catalog:
        if not message.id or not message.pluralizable:
            continue
        strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
        wanted = catalog.num_plurals
        if len(strings) == wanted:
            continue
        if len(strings) > wanted and any(strings[wanted:]):
            continue
        message.string = tuple((strings + [""] * wanted)[:wanted])
