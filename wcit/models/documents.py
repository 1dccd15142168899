"""What search matches, computed and stored by the database as generated columns.

On PostgreSQL a weighted ``tsvector`` (English stemming) behind GIN indexes; SQLite
has no text search, and ``wcit.search`` matches the texts themselves there.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func

CONFIG = "english"


class ClaimDocument(Func):
    """What claim search matches, stored as ``Claim.search_document`` (a generated column).

    On PostgreSQL the weighted vector that search ranks by (summary A, quote B), so
    that no row's vector is computed at query time; on SQLite, which has no text
    search, the two texts joined.
    """

    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(F("summary"), F("quote"))

    def as_sql(self, compiler, connection, **extra_context):
        summary, quote = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({summary[0]} || ' ' || {quote[0]})", (*summary[1], *quote[1])

    def as_postgresql(self, compiler, connection, **extra_context):
        summary, quote = (compiler.compile(e) for e in self.get_source_expressions())
        vector = "setweight(to_tsvector('{config}'::regconfig, COALESCE({column}, '')), '{weight}')"
        sql = " || ".join(
            vector.format(config=CONFIG, column=column, weight=weight)
            for column, weight in [(summary[0], "A"), (quote[0], "B")]
        )
        return f"({sql})", (*summary[1], *quote[1])


class SourceDocument(Func):
    """What passage search matches in a source, stored as ``Source.search_document``.

    On PostgreSQL the text's tsvector, so that matching and ranking a source parse
    nothing; only the headlines of the sources shown read the text. SQLite, which
    has no text search, stores nothing.
    """

    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(F("text"))

    def as_sql(self, compiler, connection, **extra_context):
        return "('')", ()

    def as_postgresql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.get_source_expressions()[0])
        return f"(to_tsvector('{CONFIG}'::regconfig, COALESCE({text}, '')))", params
