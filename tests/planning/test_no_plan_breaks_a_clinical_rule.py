"""Property: for any patient, the plan keeps every sequencing rule, interval, per-visit and area cap, and budget."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from facebalance.planning import Plan
from facebalance.planning.catalog import load_catalog
from facebalance.planning.intake import Intake
from facebalance.planning.ledger import filler_ledger
from facebalance.planning.rules import load_planning_rules
from facebalance.planning.scales import load_scales
from tests.planning.planning_personas import START, intake, plan_for

CATALOG = load_catalog()
RULES = load_planning_rules()
FILLERS = ("ha", "caha", "plla")
FRONTAL_IDS = (
    "chin_height_mm_below",
    "lips_vs_chin_short_chin",
    "jaw_vs_cheekbones_wide_jaw",
    "jaw_vs_cheekbones_narrow_jaw",
    "lateral_brow_drop_left_mm_above",
    "commissure_tilt_right_deg_below",
    "nose_vs_chin_dominant_nose",
)


@st.composite
def patients(draw: st.DrawFn) -> Intake:
    scales = load_scales()
    names = draw(st.lists(st.sampled_from(sorted(scales)), min_size=3, max_size=10, unique=True))
    # Lean toward the deficit end so that most patients have several indications competing.
    grades = {
        n: draw(st.integers(scales[n].min, (scales[n].min + scales[n].max) // 2))
        if scales[n].direction == "deficit_low"
        else draw(st.integers((scales[n].min + scales[n].max) // 2, scales[n].max))
        for n in names
    }
    history: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 3))):
        modality = draw(st.sampled_from(("toxin", "ha")))
        area = "glabella" if modality == "toxin" else draw(st.sampled_from(("lips", "chin", "midface")))
        history.append(
            {
                "date": (START - timedelta(days=draw(st.integers(7, 900)))).isoformat(),
                "modality": modality,
                "area": area,
                "amount": 20 if modality == "toxin" else draw(st.sampled_from((0.5, 1.0, 2.0))),
                "disliked": modality == "ha" and draw(st.integers(0, 3)) == 0,
            }
        )
    findings = [
        {"id": i, "zone": "lower_face", "severity": "moderate", "source": "frontal"}
        for i in draw(st.lists(st.sampled_from(FRONTAL_IDS), max_size=3, unique=True))
    ]
    budget = draw(st.sampled_from((None, 1000, 3000, 6000, 12000)))
    return intake(
        grades=grades,
        findings=findings,
        history=history,
        medical={"anticoagulants": draw(st.booleans())},
        preferences={
            "budget_usd": budget,
            "budget_basis": draw(st.sampled_from(("high", "mid"))),
            "max_visits": draw(st.integers(1, 4)),
            "prefers_gradual": draw(st.booleans()),
        },
    )


def broken_rules(plan: Plan, patient: Intake) -> list[str]:
    out: list[str] = []
    lim = RULES.limits
    dates = [v.date for v in plan.visits]
    if len(dates) > patient.preferences.max_visits:
        out.append("too many visits")
    if any((b - a).days < lim.min_visit_gap_days for a, b in itertools.pairwise(dates)):
        out.append("visits less than 2 weeks apart")
    items = plan.items
    kind = {i.key: CATALOG.modalities[i.modality].kind for i in items}

    def after(a: Any, b: Any, gap: int, why: str) -> None:
        if (b.date - a.date).days < gap:
            out.append(f"{why}: {a.key} on {a.date} then {b.key} on {b.date}")

    for a in items:
        for b in items:
            if a.key == b.key:
                continue
            if a.treatment == "ha_chin" and b.treatment == "ha_lips":
                after(a, b, 14, "chin before lips")
            if kind[a.key] == "enzyme" and kind[b.key] in ("filler", "biostimulator") and a.area == b.area:
                after(a, b, 14, "dissolve before refill")
            if kind[a.key] == "neuromodulator" and kind[b.key] in ("filler", "biostimulator") and a.region == b.region:
                after(a, b, 14, "toxin before filler in a region")
            if (
                kind[a.key] in ("filler", "biostimulator")
                and a.region == "midface"
                and kind[b.key] in ("filler", "biostimulator")
                and b.region == "lower_face"
            ):
                after(a, b, 14, "midface before lower face")
            if a.modality == b.modality == "toxin" and a.visit != b.visit and abs((b.date - a.date).days) < 84:
                out.append("toxin sooner than 12 weeks")
    last_toxin = max((t.date for t in patient.history if t.modality == "toxin"), default=None)
    for i in items:
        if (
            i.modality == "toxin"
            and last_toxin is not None
            and (i.date - last_toxin).days < lim.toxin_min_interval_days
        ):
            out.append(f"{i.key} less than 12 weeks after the last toxin")
        if not i.evidence or not i.rules:
            out.append(f"{i.key} has no supporting finding")
    planned_toxin = [i.date for i in items if i.modality == "toxin"]
    for m in plan.maintenance:
        if m.treatment == "toxin" and (m.due_from - max(planned_toxin)).days < lim.toxin_min_interval_days:
            out.append("maintenance toxin sooner than 12 weeks")
    for v in plan.visits:
        here = [i for i in items if i.visit == v.index]
        if sum(math.ceil(i.dose_high - 1e-9) for i in here if i.modality == "ha") > lim.visit_cap_syringes:
            out.append(f"visit {v.index} over the syringe cap")
        if sum(i.dose_high for i in here if i.modality == "toxin") > lim.visit_cap_toxin_units:
            out.append(f"visit {v.index} over the toxin-unit cap")
        if sum(i.dose_high for i in here if i.modality == "plla") > lim.visit_cap_plla_vials:
            out.append(f"visit {v.index} over the PLLA-vial cap")
    ledger = filler_ledger(patient.history, on=START, persistence_years=RULES.ledger_persistence_years)
    dissolved = {i.area for i in items if i.modality == "hyaluronidase"}
    for area in {i.area for i in items if i.modality in ("ha", "caha")}:
        cap = CATALOG.areas[area].cumulative_cap_ml
        present = 0.0 if area in dissolved else ledger.present_ml(area)
        planned = sum(i.dose_high for i in items if i.area == area and i.modality in ("ha", "caha"))
        if cap is not None and present + planned > cap + 1e-9:
            out.append(f"{area} over its cumulative cap")
    budget = patient.preferences.budget_usd
    if budget is not None:
        spent = sum(i.price.on(patient.preferences.budget_basis) for i in items)
        if spent > budget + 1:
            out.append(f"over budget: {spent} > {budget}")
    return out


@settings(max_examples=60)
@given(patients())
def test_no_plan_ever_breaks_a_precedence_interval_cap_or_budget(patient: Intake) -> None:
    plan = plan_for(patient, explain=False)
    assert broken_rules(plan, patient) == []
