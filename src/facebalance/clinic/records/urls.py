"""URLs of the records pages, included by the project's root URL map under ``records/`` (namespace
``records``). Every view declares its permission (``clinic_view``), so the clinic's deny-by-default
middleware lets them through; tests/records checks cross-clinic refusal for each of them."""

from __future__ import annotations

from django.urls import path

from facebalance.clinic.records import charting, inventory, views

app_name = "records"

urlpatterns = [
    path("patients/<uuid:patient_id>/treatments/", views.patient_ledger, name="ledger"),
    path("patients/<uuid:patient_id>/treatments/new/", charting.chart_new, name="chart_new"),
    path("patients/<uuid:patient_id>/fhir.json", views.fhir_export, name="fhir_export"),
    path("patients/import/", views.fhir_import, name="fhir_import"),
    path("treatments/<uuid:visit_id>/", views.treatment_detail, name="treatment"),
    path("treatments/<uuid:visit_id>/follow-up/", views.follow_up_new, name="follow_up_new"),
    path("treatments/<uuid:visit_id>/adverse-event/", views.adverse_event_new, name="adverse_event_new"),
    path("recalls/", views.recall_page, name="recalls"),
    path("recalls.ics", views.recall_ics, name="recalls_ics"),
    path("plans/<uuid:plan_id>/written-plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("assessments/<uuid:assessment_id>/report.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("measurements.csv", views.measurements_csv, name="measurements_csv"),
    path("inventory/", inventory.lot_list, name="inventory"),
    path("inventory/lots/<uuid:lot_id>/", inventory.lot_detail, name="lot"),
    path("recalls/send/", views.recall_send, name="recall_send"),
]
