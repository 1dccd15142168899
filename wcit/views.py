from django.shortcuts import render

from .models import Claim, Source


def home(request):
    """The overview page."""
    return render(
        request,
        "wcit/home.html",
        {
            "source_count": Source.objects.count(),
            "claim_count": Claim.objects.published().count(),
        },
    )
