"""Django's SQLite backend, except that a new database file is readable by its owner only.

SQLite creates the file with the process umask (usually world-readable) on its first
write; the file holds password hashes and sessions. Creating it empty with mode 0600
first is enough: SQLite accepts an empty file as a new database, and gives its journal
and WAL files the database file's permissions.
"""

import contextlib
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database", ""))
        if name and not self.is_in_memory_db() and not name.startswith("file:"):
            # An existing file keeps its mode; a path that cannot be created is left for
            # SQLite to report as the OperationalError that every caller expects.
            with contextlib.suppress(OSError):
                os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return super().get_new_connection(conn_params)
