"""What other sites and apps show of this one: a claim card they may frame, its oEmbed
description, and the link-preview pictures (Open Graph) of claims, disputes, countries and
clauses. Every picture is a response like a page's, so the page cache keeps it per data
version."""

from urllib.parse import urlsplit

from csp.utils import build_policy
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html

from ..models import Claim, Clause, Country, Dispute
from ..pictures import cards
from ..problems import InvalidParameters, json_response

EMBED_WIDTH, EMBED_HEIGHT = 560, 340


def _published_claim(pk):
    claims = Claim.objects.published().select_related("speaker", "source__author")
    return get_object_or_404(claims.defer("search_document", "source__search_document"), pk=pk)


def claim_embed(request, pk):
    """A small card of a claim (the quote as text, who said it, where, when, a link back)
    that any site may frame: its own policy allows any frame ancestor; every other page
    keeps ``frame-ancestors 'none'``."""
    claim = _published_claim(pk)
    response = render(request, "wcit/claim_embed.html", {"claim": claim})
    # Set here, not by a decorator: the page cache stores headers, not attributes.
    response["Content-Security-Policy"] = build_policy(replace={"frame-ancestors": ["*"]})
    response.xframe_options_exempt = True
    return response


def _size(request, name, default):
    value = request.GET.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise InvalidParameters(
            [{"parameter": name, "message": f"“{value}” is not a positive whole number."}]
        )
    return min(default, int(value))


def oembed(request):
    """The oEmbed description of a claim page (``?url=…&format=json``): a "rich" type whose
    HTML frames the claim's card. 404 for a URL that is not a published claim of this site,
    501 for a format other than JSON (as the oEmbed specification asks)."""
    try:
        url = request.GET.get("url", "")
        if not url:
            raise InvalidParameters([{"parameter": "url", "message": "The URL of a claim page."}])
        width = _size(request, "maxwidth", EMBED_WIDTH)
        height = _size(request, "maxheight", EMBED_HEIGHT)
    except InvalidParameters as error:
        return json_response(error)
    if request.GET.get("format", "json") != "json":
        return JsonResponse({"detail": "Only the JSON format is offered."}, status=501)
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    if (
        parts.netloc not in ("", request.get_host())
        or match is None
        or match.url_name != "claim-detail"
    ):
        return JsonResponse({"detail": "Not the URL of a claim page of this site."}, status=404)
    claim = Claim.objects.published().select_related("speaker").filter(pk=match.kwargs["pk"])
    claim = claim.first()
    if claim is None:
        return JsonResponse({"detail": "No published claim at that URL."}, status=404)
    embed = request.build_absolute_uri(reverse("claim-embed", args=[claim.pk]))
    data = {
        "version": "1.0",
        "type": "rich",
        "provider_name": "wcit: the WCIT-12 debate",
        "provider_url": request.build_absolute_uri(reverse("home")),
        "title": claim.summary,
        "html": format_html(
            '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" '
            'style="border:1px solid #d9d5cc"></iframe>',
            embed,
            width,
            height,
            f"Claim: {claim.summary}",
        ),
        "width": width,
        "height": height,
        "cache_age": 86400,
    }
    if claim.speaker:
        data["author_name"] = claim.speaker.name
        data["author_url"] = request.build_absolute_uri(claim.speaker.get_absolute_url())
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


oembed.query_parameters = ("url", "format", "maxwidth", "maxheight")


def _png(data):
    return HttpResponse(data, content_type="image/png")


def _claims(n):
    return f"{n} claim{'' if n == 1 else 's'}"


def _source_words(source):
    who = source.author.name if source.author else source.outlet
    date = f", {source.published:%-d %B %Y}" if source.published else ""
    return f"{source.title}{f' ({who})' if who else ''}{date}"


def claim_card(request, pk):
    claim = _published_claim(pk)
    speaker = claim.speaker.name if claim.speaker else "An unnamed author"
    return _png(
        cards.card(
            "A claim, with its passage",
            f"“{claim.quote}”",
            [claim.summary],
            f"{speaker}, in {_source_words(claim.source)}",
        )
    )


def dispute_card(request, slug):
    dispute = get_object_or_404(Dispute.objects.for_list(), slug=slug)
    sides = [
        f"{_claims(len(position.published_claims))}: {position.label}"
        for position in dispute.positions.all()
    ]
    return _png(cards.card("A dispute, and its sides", dispute.question, sides, dispute.summary))


def country_card(request, code):
    countries = Country.objects.with_status_reports()
    country = countries.filter(code=Country.key_for(code).upper()).first()
    if country is None:
        raise Http404
    lines = []
    for group in country.status_groups():
        source = group["latest"].source
        when = f"{source.published:%-d %b %Y}" if source.published else "undated"
        lines.append(f"{group['label']}: reported {when} by {source.credited_to}")
    if not lines:
        lines.append("Named by the sources; no status reported.")
    elif not country.decided:
        lines.append(f"No source reports whether {country.name} signed in the end.")
    headline = f"{country.name} at WCIT-12: where it stood, as reported"
    return _png(cards.card("A country", headline, lines, "Each report linked to its passage."))


def clause_card(request, code):
    clause = get_object_or_404(Clause, code=code)
    counts = Claim.objects.published().for_clause(clause).counts_by("stance")
    split = ", ".join(
        f"{counts[value]} {label.lower()}"
        for value, label in [*Claim.Stance.choices, ("", Claim.NO_STANCE_LABEL)]
        if counts.get(value)
    )
    body = [clause.description] if clause.description else []
    body.append(f"Claims about it: {split or 'none yet'}.")
    return _png(
        cards.card(
            clause.get_kind_display(),
            clause.title,
            body,
            "Its text as the sources give it, and who said what about it.",
        )
    )
