from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from jmap_core import views as jmap_views


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path(".well-known/jmap", jmap_views.session, name="well-known-jmap"),
    path("jmap/", include("jmap_core.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health),
]
