"""Passage search reads a stored, indexed vector of each source's text.

``search_document`` is a generated column (``wcit.models.documents.SourceDocument``): on
PostgreSQL the tsvector of the text, GIN-indexed here, so that matching and
ranking parse no text (on a table this small PostgreSQL skipped migration
0004's expression index and parsed every text for every search). The expression
index on sources is dropped. On SQLite it holds nothing and has no index.
Only search reads it: ``Source.objects`` (also the base manager) defers it.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import wcit.models.documents

OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS wcit_source_search_gin ON wcit_source USING gin "
    "((to_tsvector('english'::regconfig, COALESCE(text, ''))))"
)


def index_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS wcit_source_search_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS wcit_source_document_gin "
        "ON wcit_source USING gin (search_document)"
    )


def unindex_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS wcit_source_document_gin")
    schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("wcit", "0011_claim_status_report_index")]

    operations = [
        migrations.AddField(
            model_name="source",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=wcit.models.documents.SourceDocument(),
                help_text="Computed by the database from the text, for search.",
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.RunPython(index_document, unindex_document),
        # Sources fetched through a claim leave the vector unread, as Source.objects does.
        migrations.AlterModelOptions(
            name="source",
            options={"base_manager_name": "objects", "ordering": ["slug"]},
        ),
    ]
