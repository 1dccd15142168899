"""GIN indexes for full-text search on PostgreSQL (a no-op on SQLite).

The indexed expressions are exactly those ``wcit.search`` builds with
``SearchVector(..., config="english")``: PostgreSQL uses an expression index
only for a query with the same expression.
"""

from django.db import migrations

INDEXES = {
    "wcit_claim_search_gin": (
        "wcit_claim",
        "to_tsvector('english'::regconfig, "
        "COALESCE(summary, '') || ' ' || COALESCE(quote, ''))",
    ),
    "wcit_source_search_gin": (
        "wcit_source",
        "to_tsvector('english'::regconfig, COALESCE(text, ''))",
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("wcit", "0003_key_figure")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
