"""CSV and JSON downloads of a list, with exactly the rows its filters select.

Both stream, so a large selection is never built in memory. CSV is UTF-8 with
a byte-order mark (so spreadsheets detect the encoding) and a header row; JSON
links back to the HTML list and every row to its HTML page.
"""

import csv
import json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse


class _Echo:
    def write(self, value):
        return value


def respond(request, export_format, rows, fields):
    """A streaming CSV or JSON response of ``rows`` (dicts keyed by ``fields``)."""
    list_url = request.build_absolute_uri(
        request.path.rsplit(".", 1)[0]
        + "/"
        + (f"?{request.GET.urlencode()}" if request.GET else "")
    )
    name = request.path.strip("/").rsplit("/", 1)[-1]
    if export_format == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff" + writer.writerow(fields)
            for row in rows:
                yield writer.writerow([_cell(row[field]) for field in fields])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:

        def chunks():
            yield '{"html_url": ' + json.dumps(list_url) + ', "results": ['
            for index, row in enumerate(rows):
                yield (
                    ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str)
                )
            yield "\n]}\n"

        response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell(value):
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    return "" if value is None else neutralise(value)


# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|...); a tab or carriage return can hide such a start from a quick look.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """``value`` as a CSV cell no spreadsheet runs: a leading apostrophe before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def error(export_format, problems):
    """A 400 naming each bad parameter and its allowed values, in the format asked for."""
    if export_format == "json":
        return JsonResponse(
            {
                "detail": "; ".join(f"{name}: {message}" for name, message, _allowed in problems),
                "problems": [
                    {"parameter": name, "message": message, "allowed": allowed}
                    for name, message, allowed in problems
                ],
            },
            status=400,
        )
    text = "\n".join(
        f"{name}: {message} Allowed values: {', '.join(allowed)}"
        for name, message, allowed in problems
    )
    return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")
