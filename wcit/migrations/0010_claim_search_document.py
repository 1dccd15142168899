"""Claim search reads a stored, indexed vector instead of computing one per row.

``search_document`` is a generated column (``wcit.models.documents.ClaimDocument``): on
PostgreSQL the weighted tsvector of summary and quote, GIN-indexed here; the
expression index of migration 0004 on claims is dropped, as nothing queries
that expression any more. On SQLite it is the two texts joined, and no index.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import wcit.models.documents

OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS wcit_claim_search_gin ON wcit_claim USING gin "
    "((to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(quote, ''))))"
)


def index_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS wcit_claim_search_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS wcit_claim_document_gin "
        "ON wcit_claim USING gin (search_document)"
    )


def unindex_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS wcit_claim_document_gin")
    schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("wcit", "0009_reviewer_group")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=wcit.models.documents.ClaimDocument(),
                help_text="Computed by the database from the summary and the quote, for search.",
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.RunPython(index_document, unindex_document),
    ]
