"""The clinic's other services (Hydrafacial, IPL, RF microneedling such as Morpheus8, RF tightening such as Forma,
PRF under the eyes) are optional catalogue entries with their own cadence, downtime and contraindications,
proposed only from a finding or a concern they serve, and priced only from the clinic's own price list."""

from __future__ import annotations

from typing import Any

import pytest

from facebalance.planning import build_plan, plan_document
from facebalance.planning.catalog import load_catalog
from facebalance.planning.content import PlanningData
from facebalance.planning.pricing import layer_price_lists, load_price_list, parse_price_list
from tests.planning.planning_personas import intake, plan_for

SERVICES = ("hydrafacial", "ipl_photofacial", "rf_microneedling", "rf_tightening", "prf_under_eye")
#: Amy, 45: worried about redness and dull skin, and about dark circles under her eyes.
AMY: dict[str, Any] = {
    "patient": {"age_years": 45, "sex": "female"},
    "concerns": [{"area": "redness"}, {"area": "dull_skin"}, {"area": "dark_circles"}],
}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_an_optional_course_with_its_cadence_and_downtime(service: str) -> None:
    t = load_catalog().treatments[service]
    assert t.optional and t.cadence_days is not None and t.downtime
    assert t.price not in load_price_list().rows  # no invented price: the clinic's list prices it


def test_nothing_is_proposed_without_a_finding_or_concern_it_serves() -> None:
    plan = plan_for(intake(grades={"chin_retrusion": 2}))
    assert not set(SERVICES) & set(plan.treatments)


def test_a_patients_concerns_bring_the_services_that_serve_them_and_only_those() -> None:
    plan = plan_for(intake(**AMY))
    assert set(plan.treatments) == {"ipl_photofacial", "hydrafacial", "prf_under_eye"}
    assert {i.role for i in plan.items} == {"optional"}
    ipl = plan.item("ipl_photofacial")
    assert ipl.dose_text == "3-5 sessions, every 3-4 weeks"
    assert "Downtime: Treated sun spots darken and flake off" in ipl.timeline.sentence


def test_unpriced_services_are_proposed_price_on_consultation_and_flagged() -> None:
    plan = plan_for(intake(**AMY))
    assert plan.pricing is not None and all(i.price is None for i in plan.items)
    assert plan.pricing.total.high == 0 and set(plan.pricing.unpriced) == {i.label for i in plan.items}
    assert any(n.startswith("Priced on consultation (not in the total)") for n in plan.pricing.notes)
    rows = [r for r in plan_document(plan)["pricing"]["rows"] if r["visit"] is not None]
    assert {r["unit_price"] for r in rows} == {"price on consultation"} and {str(r["price"]) for r in rows} == {"None"}


def test_with_the_clinics_price_row_a_course_is_priced_per_session() -> None:
    clinic = parse_price_list(
        {
            "price": [
                {
                    "key": "ipl_session",
                    "label": "IPL, per session",
                    "per": "session",
                    "low": 300,
                    "high": 450,
                    "source": "our 2027 list",
                    "review": "clinic",
                }
            ]
        }
    )
    data = PlanningData.default(prices=layer_price_lists(load_price_list(), clinic))
    plan = build_plan([], intake(**AMY), data=data)
    ipl = plan.item("ipl_photofacial")
    assert ipl.price is not None and (ipl.price.low, ipl.price.high) == (3 * 300, 5 * 450)


def test_laxity_brings_radiofrequency_one_course_at_a_time_and_none_when_laxity_is_severe() -> None:
    mild = plan_for(intake(grades={"skin_laxity": 2}))
    assert len({"rf_microneedling", "rf_tightening"} & set(mild.treatments)) == 1
    severe = plan_for(intake(grades={"skin_laxity": 3}))
    assert not {"rf_microneedling", "rf_tightening"} & set(severe.treatments)
    assert "a device does not give the lift" in severe.omission("rf_microneedling").sentence


@pytest.mark.parametrize(
    ("medical", "service", "reason"),
    [
        ({"implanted_electronic_device": True}, "rf_tightening", "excluded"),
        ({"skin_type_fitzpatrick": 6}, "ipl_photofacial", "excluded"),
        ({"medications": ["isotretinoin"]}, "ipl_photofacial", "deferred"),
        ({"bleeding_disorder": True}, "prf_under_eye", "excluded"),
        ({"pregnant": True}, "prf_under_eye", "deferred"),
        ({"active_infection_areas": ["lips"]}, "hydrafacial", "deferred"),
    ],
)
def test_each_service_keeps_its_contraindications(medical: dict[str, Any], service: str, reason: str) -> None:
    plan = plan_for(intake(**{**AMY, "grades": {"skin_laxity": 1}, "medical": medical}))
    assert service not in plan.treatments
    assert plan.omission(service).reason == reason


def test_device_treatments_are_kept_two_weeks_from_filler_in_the_same_region() -> None:
    plan = plan_for(intake(**{**AMY, "grades": {"midface_volume_deficit": 3}}))
    cheek = plan.item("ha_cheek")
    for device in ("ipl_photofacial", "hydrafacial"):
        assert abs((cheek.date - plan.item(device).date).days) >= 14
