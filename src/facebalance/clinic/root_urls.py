"""The project's root URL map: the clinic pages, the JSON API and the (superuser-only) admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from facebalance.clinic.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("facebalance.clinic.urls")),
    path("records/", include("facebalance.clinic.records.urls")),
]
