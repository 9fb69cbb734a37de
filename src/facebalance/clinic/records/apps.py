from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "facebalance.clinic.records"
    label = "records"
    verbose_name = "facebalance treatment records"
    default_auto_field = "django.db.models.BigAutoField"
