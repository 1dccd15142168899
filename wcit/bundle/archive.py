"""The corpus as one ZIP: the fixtures as ``export_fixtures`` writes them, read from the
database; the five seed documents byte for byte; a CSV per table; and a README saying
what is in it, its version, and what is known of the sources' licences.

Everything in it is in one folder named for the version, so that unpacking two versions
side by side mixes nothing; every entry is dated with the version, so that two builds of
one version are the same bytes.
"""

import csv
import io
import zipfile

from django.template.loader import render_to_string

from ..corpus import SEEDS_DIR, fixture_querysets, write_fixture
from ..problems import neutralise
from ..schemas import flatten
from .tables import BY_NAME

README = "README.md"
# The one seed that states terms of use; the README quotes them (a test checks the words).
CDT_SEED = "003_5bcf6c4dea129510.txt"


class Archive:
    """A ZIP being written: the fixtures and seeds first, then a CSV per table (``table``),
    then the README (``close``)."""

    def __init__(self, path, edition):
        self.edition = edition
        self.folder = edition.folder
        self.zip = zipfile.ZipFile(path, "w")
        self.seeds = sorted(seed for seed in SEEDS_DIR.iterdir() if seed.is_file())

    def entry(self, name):
        info = zipfile.ZipInfo(f"{self.folder}/{name}", date_time=self.edition.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def text(self, name):
        # newline="": the writers choose their line ends (JSON "\n", CSV "\r\n"), as on disk.
        return io.TextIOWrapper(self.zip.open(self.entry(name), "w"), "utf-8", newline="")

    def write_fixtures(self):
        for name, model, queryset in fixture_querysets(public=True):
            with self.text(f"fixtures/{name}") as stream:
                write_fixture(model, queryset, stream)

    def write_seeds(self):
        for seed in self.seeds:
            self.zip.writestr(self.entry(f"seeds/{seed.name}"), seed.read_bytes())

    def table(self, table):
        """A ``TableFile`` taking ``table``'s rows, a chunk at a time."""
        return TableFile(self.text(f"csv/{table.name}.csv"), table.fields())

    def close(self, counts):
        """Write the README, last because it counts the rows, and finish the file."""
        readme = render_to_string(
            "wcit/corpus_readme.md",
            {
                "edition": self.edition,
                "tables": [(name, BY_NAME[name].about, n) for name, n in counts.items()],
                "seeds": [seed.name for seed in self.seeds],
                "cdt_seed": CDT_SEED,
            },
        )
        self.zip.writestr(self.entry(README), readme.encode("utf-8"))
        self.zip.close()

    def abort(self):
        self.zip.close()


class TableFile:
    """A table's CSV as the lists' CSV downloads write it: UTF-8 with a byte-order mark, a
    header row, lists of keys space-separated, records as JSON, no formula cells."""

    def __init__(self, stream, fields):
        self.stream = stream
        self.fields = fields
        self.writer = csv.writer(stream)
        stream.write("\ufeff")
        self.writer.writerow(fields)

    def write(self, records):
        self.writer.writerows(
            [neutralise(flatten(record[field])) for field in self.fields] for record in records
        )

    def close(self):
        self.stream.close()
