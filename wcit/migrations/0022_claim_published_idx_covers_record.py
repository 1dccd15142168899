"""The partial index of published claims holds their sources and statuses (PostgreSQL).

A country's record counts its claims by source date, status and source, and picks each
cell's first claims (``ChronologyQuerySetMixin.record``): for the 25,000 claims about the
United States among 100,000 PostgreSQL read the whole claim table (66 MB: quotes, summaries,
search documents) for three narrow columns, twice. With them in the index it reads the
index alone: the two queries went from 62 and 88 ms to 15 and 24 ms (median of 9, one
session, the database of bench/load.py at 100,000 claims). The same name and key, so the
index stays what the model says (``claim_published_idx``) and ``with_claim_counts`` uses it
as before; SQLite has no included columns (Django would warn, models.W040): it keeps the
plain one.
"""

from django.db import migrations

PLAIN = "CREATE INDEX claim_published_idx ON wcit_claim (id) WHERE status = 'published'"
COVERING = (
    "CREATE INDEX claim_published_idx ON wcit_claim (id) INCLUDE (source_id, signature_status) "
    "WHERE status = 'published'"
)


def rebuild(definition):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("DROP INDEX claim_published_idx")
            schema_editor.execute(definition)

    return run


class Migration(migrations.Migration):
    dependencies = [("wcit", "0021_position_label_room_for_translations")]

    operations = [migrations.RunPython(rebuild(COVERING), rebuild(PLAIN))]
