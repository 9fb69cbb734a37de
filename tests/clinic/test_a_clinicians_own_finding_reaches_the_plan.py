"""A finding the clinician adds (any zone, with a severity) is kept with who and when, counts as reviewed, and
reaches the planner under the finding id the rules read: the recessed chin added by hand proposes chin filler."""

from __future__ import annotations

from django.test import Client

from facebalance.clinic import audit
from facebalance.clinic.models import Assessment, Plan
from tests.clinic.clinic_records import ClinicRecords


def test_an_added_finding_is_confirmed_and_planned(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    url = f"/assessments/{clinic_a.assessment.pk}"
    response = client.post(
        f"{url}/findings/add/",
        {
            "zone": "profile",
            "severity": "moderate",
            "sentence": "Chin clearly behind the lips on the profile photo.",
            "rule": "profile.recessed_chin",
        },
    )
    assert response.status_code == 302
    (added,) = Assessment.objects.get(pk=clinic_a.assessment.pk).added_findings
    assert (added["rule"], added["by"], added["severity"]) == ("profile.recessed_chin", "harbour.provider", "moderate")
    page = client.get(f"{url}/").content.decode()
    assert "Chin clearly behind the lips" in page and "added by harbour.provider" in page
    assert "(0 awaiting review)" in page
    assert audit.AuditEvent.objects.filter(object_type="assessment", detail__added_finding="clinician-1").exists()

    client.post(f"{url}/confirm/")
    assert client.post(f"{url}/plan/").status_code == 302
    plan = Plan.objects.exclude(pk=clinic_a.plan.pk).get(assessment=clinic_a.assessment)
    items = {i["treatment"]: i for i in plan.document["items"]}
    assert "ha_chin" in items
    assert "clinician finding profile.recessed_chin (moderate)" in items["ha_chin"]["evidence"]


def test_a_rejected_added_finding_does_not_reach_the_plan(clinic_a: ClinicRecords) -> None:
    client = Client()
    client.force_login(clinic_a.provider)
    url = f"/assessments/{clinic_a.assessment.pk}"
    client.post(
        f"{url}/findings/add/",
        {"zone": "profile", "severity": "moderate", "sentence": "Chin behind.", "rule": "profile.recessed_chin"},
    )
    client.post(f"{url}/findings/clinician-1/review/", {"decision": "reject", "note": "Second look: fine."})
    client.post(f"{url}/confirm/")
    client.post(f"{url}/plan/")
    plan = Plan.objects.exclude(pk=clinic_a.plan.pk).get(assessment=clinic_a.assessment)
    assert "ha_chin" not in {i["treatment"] for i in plan.document.get("items", [])}
