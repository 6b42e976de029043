from __future__ import annotations

from django.urls import path

from jmap_core import views

urlpatterns = [
    path("session/", views.session, name="jmap-session"),
    path("api/", views.api, name="jmap-api"),
    path("upload/<str:account_id>/", views.upload, name="jmap-upload"),
    path(
        "download/<str:account_id>/<str:blob_id>/<str:name>", views.download, name="jmap-download"
    ),
]
