"""The one error a bad request gets: each bad parameter, what is wrong with it, what it allows.

Filters, paging, the request limits and the API raise ``InvalidParameters``; every
output renders the same problems in its own format: the HTML 400 page lists them, the
API and the JSON downloads send ``{"detail", "problems": [{"parameter", "message",
"allowed"}]}`` (documented in the OpenAPI schema as ``wcit.schemas.ErrorOut``), and the
CSV downloads send them as rows with those columns.
"""

import csv
import io
import json

from django.core.exceptions import BadRequest
from django.http import HttpResponse

# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|...); a tab or carriage return can hide such a start from a quick look.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class InvalidParameters(BadRequest):
    """A request whose parameters are not allowed: ``problems`` says which and why."""

    def __init__(self, problems):
        self.problems = [
            {
                "parameter": problem["parameter"],
                "message": problem["message"],
                "allowed": list(problem.get("allowed", [])),
            }
            for problem in problems
        ]
        super().__init__(self.detail)

    @property
    def detail(self):
        return " ".join(
            f"{problem['parameter']}: {problem['message']}"
            + (f" Allowed: {', '.join(problem['allowed'])}." if problem["allowed"] else "")
            for problem in self.problems
        )

    def as_dict(self):
        """The error as the API and the JSON downloads send it."""
        return {"detail": self.detail, "problems": self.problems}


def for_programs(path):
    """Whether ``path`` is the API's or a download's, read by programs rather than people."""
    return path.startswith("/api/") or path.endswith((".json", ".csv"))


def data_response(path, invalid):
    """The 400 of the API, a JSON or a CSV download, by the request's path; None for a page."""
    if not for_programs(path):
        return None
    return csv_response(invalid) if path.endswith(".csv") else json_response(invalid)


def json_response(invalid):
    """The 400 of a JSON output."""
    body = json.dumps(invalid.as_dict(), ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")


def csv_response(invalid):
    """The 400 of a CSV output: a header row, then a row per problem."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["parameter", "message", "allowed"])
    for problem in invalid.problems:
        cells = [problem["parameter"], problem["message"], "; ".join(problem["allowed"])]
        writer.writerow([neutralise(cell) for cell in cells])
    return HttpResponse(
        "\ufeff" + out.getvalue(), status=400, content_type="text/csv; charset=utf-8"
    )


def neutralise(value):
    """``value`` as a CSV cell no spreadsheet runs: a leading apostrophe before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
