"""Record what PostgreSQL's search finds for each query of tests/search_parity.json.

Run against a PostgreSQL database holding the shipped fixtures (and nothing else), after
the corpus changes:

    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/wcit_parity \\
        .venv/bin/python tests/record_search_parity.py

``test_search.py`` then checks that both backends still find exactly these claims and
sources. The queries are kept; only the expected ids are rewritten.
"""

import json
import os
import sys
from pathlib import Path

FILE = Path(__file__).with_name("search_parity.json")


def found(query):
    from wcit import search
    from wcit.models import Claim, Source

    claims = search.search_claims(Claim.objects.published(), query).values_list("pk", flat=True)
    passages = search.passage_hits(Source.objects.all(), query, limit=1000)
    return {"claims": sorted(claims), "sources": sorted(hit.source.slug for hit in passages)}


def main():
    sys.path.insert(0, str(FILE.parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wcit.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Record against PostgreSQL: set DATABASE_URL=postgres://...")
    queries = json.loads(FILE.read_text())
    recorded = {query: found(query) for query in queries}
    lines = [f"{json.dumps(q, ensure_ascii=False)}: {json.dumps(r)}" for q, r in recorded.items()]
    FILE.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"{FILE}: {len(recorded)} queries")


if __name__ == "__main__":
    main()
