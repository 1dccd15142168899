"""CSV and JSON downloads of a list: the rows its filters select, in the API's shapes.

A download is a page of the list in ``wcit.schemas``' pagination, its rows in
the API's schema: JSON is the API's page object, CSV the same rows flattened,
with the neighbouring pages in a ``Link`` header. Both stream, so a large page
is never built in memory. CSV is UTF-8 with a byte-order mark (so spreadsheets
detect the encoding) and a header row. Errors are ``wcit.problems``' responses.
"""

import csv
import json

from django.http import StreamingHttpResponse

from ..problems import neutralise
from ..schemas import flatten, rows


class _Echo:
    def write(self, value):
        return value


def _link_header(page):
    links = [f'<{page[rel]}>; rel="{rel}"' for rel in ("next", "previous") if page[rel]]
    return ", ".join(links)


def respond(request, export_format, schema, page):
    """A streaming CSV or JSON response of ``page`` (from ``paginate``), rows in ``schema``."""
    records = rows(schema, page["results"].iterator(chunk_size=2000), request)
    if export_format == "csv":
        writer = csv.writer(_Echo())
        fields = list(schema.model_fields)

        def lines():
            yield "\ufeff" + writer.writerow(fields)
            for record in records:
                yield writer.writerow([cell(record[field]) for field in fields])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        envelope = {key: page[key] for key in ("count", "next", "previous")}

        def chunks():
            yield json.dumps(envelope)[:-1] + ', "results": ['
            for index, record in enumerate(records):
                yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
            yield "\n]}\n"

        response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    name = request.path.strip("/").rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if _link_header(page):
        response["Link"] = _link_header(page)
    return response


def cell(value):
    """A row's value as a safe CSV cell: flattened, then neutralised."""
    return neutralise(flatten(value))
