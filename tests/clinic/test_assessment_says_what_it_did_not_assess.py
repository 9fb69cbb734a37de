"""The assessment page shows every view of the session with its state (a failed or skipped view is marked, never
shown as a normal thumbnail) and says which parts were not assessed and why."""

from __future__ import annotations

from django.test import Client

from tests.clinic.clinic_records import ClinicRecords
from tests.clinic.test_session_completes_with_skipped_views import _passing_photo


def test_failed_and_skipped_views_are_marked_and_the_profile_is_not_assessed(clinic_a: ClinicRecords) -> None:
    session = clinic_a.session
    _passing_photo(session, "oblique_left", clinic_a.provider, status="fail")
    session.skips = [
        {
            "view_id": "profile_right",
            "reason": "Patient left early.",
            "by": "harbour.provider",
            "at": "2030-01-01T00:00:00+00:00",
        }
    ]
    session.save()
    client = Client()
    client.force_login(clinic_a.provider)
    html = client.get(f"/assessments/{clinic_a.assessment.pk}/").content.decode()
    views = html[html.index('id="session-views"') : html.index('id="not-assessed"')]
    oblique = views[views.index('data-view="oblique_left"') :].split("</figure>")[0]
    assert 'class="view fail"' in views and "failed its checks" in oblique
    profile = views[views.index('data-view="profile_right"') :].split("</figure>")[0]
    assert "skipped" in profile and "Patient left early." in profile and "<img" not in profile

    missing = html[html.index('id="not-assessed"') :].split("</div>")[0]
    assert (
        "<strong>Profile</strong>" in missing and "Right profile 90 deg" in missing and "Patient left early" in missing
    )
    assert "Oblique views" in missing and "Left oblique 45 deg" in missing and "failed its checks" in missing
    assert "Movement: smile" in missing and "not taken" in missing
