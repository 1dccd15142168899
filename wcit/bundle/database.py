"""The corpus as one SQLite file: a table per kind of record, named for readers, each key
column a real foreign key, and none of Django's own tables (accounts, sessions, history).

Columns are the API's fields (``tables``); a list of keys in a row (a claim's countries) is
a table of pairs (``claim_countries``). A client that sets ``PRAGMA foreign_keys = ON``
has them enforced; the build checks them (``PRAGMA foreign_key_check``) and refuses to
finish a file that breaks one.
"""

import sqlite3

from .tables import BY_NAME, TABLES


class BuildError(Exception):
    """The database gave rows that break the file's foreign keys."""


def quoted(name):
    """An SQL identifier, quoted: some columns are SQL keywords (``end``, ``order``)."""
    return '"' + name.replace('"', '""') + '"'


def create_statements():
    """The CREATE TABLE and CREATE INDEX statements, in the tables' order."""
    statements = []
    for table in TABLES:
        lines = [
            f"{quoted(column)} {table.sql_type(column)}{_reference(table, column)}"
            for column in table.columns()
        ]
        lines.append(f"PRIMARY KEY ({', '.join(quoted(column) for column in table.key)})")
        statements.append(_create(table.name, lines))
        statements += [_index(table.name, column) for column in table.references]
        for name, link in table.links.items():
            item = BY_NAME[link.references]
            lines = [
                f"{quoted(link.owner)} {table.sql_type(table.key[0])}{_key_of(table)}",
                f"{quoted(link.item)} {item.sql_type(item.key[0])}{_key_of(item)}",
                f"PRIMARY KEY ({quoted(link.owner)}, {quoted(link.item)})",
            ]
            statements.append(_create(link.table, lines, comment=f"{table.name}.{name}"))
            statements.append(_index(link.table, link.item))
    return statements


def _create(name, lines, comment=None):
    body = ",\n  ".join(lines)
    note = f" -- {comment}, a row a pair" if comment else ""
    return f"CREATE TABLE {quoted(name)} ({note}\n  {body}\n)"


def _reference(table, column):
    if column not in table.references:
        return ""
    return _key_of(BY_NAME[table.references[column]])


def _key_of(target):
    # The column named, not left implicit: Datasette links a value to its row by the
    # column that PRAGMA foreign_key_list gives, which is empty for an implicit one.
    return f" REFERENCES {quoted(target.name)} ({quoted(target.key[0])})"


def _index(table, column):
    return f"CREATE INDEX {quoted(f'{table}_{column}')} ON {quoted(table)} ({quoted(column)})"


def _insert(table, columns):
    names = ", ".join(quoted(column) for column in columns)
    marks = ", ".join("?" for _column in columns)
    return f"INSERT INTO {quoted(table)} ({names}) VALUES ({marks})"


class Database:
    """A SQLite file being written: its tables created, then filled a chunk at a time
    (``table``), then checked and described (``close``)."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None)
        # A new file that nobody reads until it is renamed into place: no journal; the
        # store syncs it to disk before the rename.
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute("BEGIN")
        for statement in create_statements():
            self.connection.execute(statement)

    def table(self, table):
        return TableRows(self.connection, table)

    def close(self, about, counts):
        """Describe the file in its ``corpus`` table, check every foreign key, and finish."""
        connection = self.connection
        connection.execute(_create("corpus", ["name TEXT PRIMARY KEY", "value TEXT NOT NULL"]))
        about = [*about, *((f"rows in {name}", str(n)) for name, n in counts.items())]
        connection.executemany("INSERT INTO corpus VALUES (?, ?)", about)
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BuildError(f"Rows breaking a foreign key (table, rowid, parent): {broken[:10]}")
        connection.execute("COMMIT")
        # Statistics for the query planner of whoever opens it (Datasette's facets).
        connection.execute("ANALYZE")
        connection.close()

    def abort(self):
        self.connection.close()


class TableRows:
    """Inserts a table's rows, and the pairs of its lists of keys into their tables."""

    def __init__(self, connection, table):
        self.connection = connection
        self.table = table
        self.columns = table.columns()
        self.insert = _insert(table.name, self.columns)
        self.links = [
            (name, _insert(link.table, [link.owner, link.item]))
            for name, link in table.links.items()
        ]

    def write(self, records):
        self.connection.executemany(
            self.insert, ([record[column] for column in self.columns] for record in records)
        )
        key = self.table.key[0]
        for name, insert in self.links:
            pairs = ((record[key], item) for record in records for item in record[name])
            self.connection.executemany(insert, pairs)
