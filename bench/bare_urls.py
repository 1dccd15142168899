from django.http import HttpResponse
from django.urls import path


def bare(request):
    """The least a Django view can do, behind Django's default middleware only."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare)]
