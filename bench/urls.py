from django.http import HttpResponse
from django.urls import include, path

from wcit.urls import handler400, handler404, handler500  # noqa: F401


def trivial(request):
    """The least a Django view can do, through the same middleware as every page."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), path("", include("wcit.urls"))]
