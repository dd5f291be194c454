from django.http import HttpResponse
from django.urls import path


def ok(request):
    return HttpResponse("ok")


def error(request):
    raise RuntimeError("boom")


urlpatterns = [path("ok", ok), path("error", error)]
