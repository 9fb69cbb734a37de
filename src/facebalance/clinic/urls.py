"""URL map. Every page view declares its permission (access.clinic_view); the API guards its own."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from facebalance.clinic import (
    views,
    views_assess,
    views_auth,
    views_compare,
    views_dynamics,
    views_marker,
    views_plan,
)
from facebalance.clinic.access import clinic_view

app_name = "clinic"


@clinic_view("account.self")
def home(request: HttpRequest) -> HttpResponse:
    return redirect("clinic:patients")


urlpatterns = [
    path("", home, name="home"),
    path("login/", views_auth.login_view, name="login"),
    path("login/totp/", views_auth.login_totp_view, name="login_totp"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("account/", views_auth.account_view, name="account"),
    path("patients/", views.patient_list, name="patients"),
    path("patients/new/", views.patient_new, name="patient_new"),
    path("patients/<uuid:patient_id>/", views.chart, name="chart"),
    path("patients/<uuid:patient_id>/edit/", views.patient_edit, name="patient_edit"),
    path("patients/<uuid:patient_id>/intake/new/", views.intake_new, name="intake_new"),
    path("patients/<uuid:patient_id>/sessions/new/", views.session_new, name="session_new"),
    path("intakes/<uuid:intake_id>/", views.intake_detail, name="intake"),
    path("sessions/<uuid:session_id>/", views.session_detail, name="session"),
    path("sessions/<uuid:session_id>/views/<slug:view_id>/upload/", views.photo_upload, name="photo_upload"),
    path("sessions/<uuid:session_id>/views/<slug:view_id>/skip/", views.view_skip, name="view_skip"),
    path("sessions/<uuid:session_id>/complete/", views.session_complete, name="session_complete"),
    path("sessions/<uuid:session_id>/assess/", views_assess.assessment_run, name="assessment_run"),
    path("assessment-runs/<uuid:run_id>/", views_assess.assessment_progress, name="assessment_progress"),
    path("sessions/<uuid:session_id>/recordings/", views_dynamics.recording_upload, name="recording_upload"),
    path("recordings/<uuid:recording_id>/", views_dynamics.recording_status, name="recording_status"),
    path(
        "recordings/<uuid:recording_id>/keyframes/<slug:key>.jpg",
        views_dynamics.recording_keyframe,
        name="recording_keyframe",
    ),
    path("photos/<uuid:photo_id>/image/", views.photo_image, name="photo_image"),
    path("photos/<uuid:photo_id>/accept/", views.photo_accept, name="photo_accept"),
    path("assessments/<uuid:assessment_id>/", views_assess.assessment_detail, name="assessment"),
    path("assessments/<uuid:assessment_id>/annotated/", views_assess.assessment_annotated, name="assessment_annotated"),
    path(
        "assessments/<uuid:assessment_id>/views/<slug:view_id>.png",
        views_assess.assessment_view_image,
        name="assessment_view_image",
    ),
    path("patients/<uuid:patient_id>/compare/", views_compare.compare_new, name="compare_new"),
    path("comparisons/<uuid:comparison_id>/", views_compare.comparison_detail, name="comparison"),
    path(
        "comparisons/<uuid:comparison_id>/<slug:kind>.png", views_compare.comparison_picture, name="comparison_picture"
    ),
    path(
        "assessments/<uuid:assessment_id>/findings/<str:finding_id>/review/",
        views_assess.finding_review,
        name="finding_review",
    ),
    path("assessments/<uuid:assessment_id>/findings/add/", views_assess.finding_add, name="finding_add"),
    path("assessments/<uuid:assessment_id>/grades/", views_assess.assessment_grades, name="assessment_grades"),
    path("assessments/<uuid:assessment_id>/confirm/", views_assess.assessment_confirm, name="assessment_confirm"),
    path("assessments/<uuid:assessment_id>/plan/", views_plan.plan_new, name="plan_new"),
    path("plans/<uuid:plan_id>/", views_plan.plan_detail, name="plan"),
    path("plans/<uuid:plan_id>/accept/", views_plan.plan_accept, name="plan_accept"),
    path("plans/<uuid:plan_id>/edit/", views_plan.plan_edit, name="plan_edit"),
    path("settings/", views_plan.clinic_settings, name="settings"),
    path("settings/marker/", views_marker.marker_page, name="marker"),
    path("settings/users/", views_plan.user_new, name="user_new"),
    path("settings/second-factor/", views_plan.totp_policy, name="totp_policy"),
    path("settings/users/<int:membership_id>/deactivate/", views_plan.user_deactivate, name="user_deactivate"),
    path("settings/users/<int:membership_id>/reset-totp/", views_plan.user_reset_totp, name="user_reset_totp"),
    path("audit/", views_plan.audit_page, name="audit"),
]
