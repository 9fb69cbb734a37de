"""Property: for any patient, the plan keeps every sequencing rule (with the wait for each product's result),
interval, per-visit, per-plan and area cap, and the budget, in every phase; a later step never comes without the
structural step it waits for."""

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
    budget = draw(st.sampled_from((None, 1000, 2500, 3000, 4000, 6000, 12000)))
    concerns = draw(
        st.lists(
            st.sampled_from(("lips", "redness", "dull_skin", "dark_circles", "acne_scars")), max_size=2, unique=True
        )
    )
    return intake(
        patient={"sex": draw(st.sampled_from(("female", "male")))},
        concerns=[{"area": c} for c in concerns],
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


#: Omission reasons that take an item out before the solver (it is then not a candidate a later step waits for).
NOT_A_CANDIDATE = ("cap", "deferred", "excluded", "suppressed", "over_projection", "needs_override", "no_finding")


def indicated(plan: Plan, patient: Intake, treatment: str) -> bool:
    """Whether a rule row proposes the treatment for this patient's grades and findings and no step before the
    solver took it out (the solver was offered it, so a step waiting for it must wait)."""
    grades, findings = patient.grades, {f.id for f in patient.findings}

    def holds(c: Any) -> bool:
        if c.finding is not None:
            return bool(c.finding in findings)
        value = grades.get(c.grade or "")
        return (
            value is not None
            and (c.at_least is None or value >= c.at_least)
            and (c.at_most is None or value <= c.at_most)
        )

    rows = [r for r in RULES.indications if r.treatment == treatment]
    fires = any(
        (not r.when_any or any(holds(c) for c in r.when_any))
        and all(holds(c) for c in r.when_all)
        and not any(holds(c) for c in r.unless_any)
        for r in rows
    )
    removed = any(o.treatment == treatment and o.reason in NOT_A_CANDIDATE for o in plan.omissions)
    return treatment in plan.treatments or (fires and not removed)


def broken_rules(plan: Plan, patient: Intake) -> list[str]:
    """Every clinical rule the plan breaks, checked from the plan and the data files alone, for every phase."""
    out: list[str] = []
    lim, phases_rules, volume = RULES.limits, RULES.phases, RULES.volume
    wanted = patient.preferences.max_visits or lim.max_visits
    for phase in sorted({v.phase for v in plan.visits}):
        here = [v for v in plan.visits if v.phase == phase]
        if len(here) > wanted:
            out.append(f"too many visits in phase {phase}")
        if any((b.date - a.date).days < lim.min_visit_gap_days for a, b in itertools.pairwise(here)):
            out.append(f"phase {phase}: visits less than 2 weeks apart")
        if (here[-1].date - here[0].date).days > lim.horizon_days:
            out.append(f"longer than the planning window in phase {phase}")
    for a, b in itertools.pairwise(plan.visits):
        if b.phase < a.phase:
            out.append("phases out of order")
        if b.phase > a.phase and (b.date - a.date).days < phases_rules.gap_days:
            out.append(f"phase {b.phase} starts less than {phases_rules.gap_days} days after the one before")
    if patient.preferences.budget_usd is None and len({v.phase for v in plan.visits}) > 1:
        out.append("phases without a budget")
    items = plan.items
    kind = {i.key: CATALOG.modalities[i.modality].kind for i in items}
    shows = {i.key: CATALOG.modalities[i.modality].visible_days for i in items}

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
                and a.area == "midface"
                and kind[b.key] in ("filler", "biostimulator")
                and b.region == "lower_face"
            ):
                # The later step waits for the earlier one's result: 90 days after a PLLA session.
                after(a, b, max(14, shows[a.key]), "midface before lower face, after its result shows")
            device, injected = ("skin", "energy"), ("filler", "biostimulator", "autologous")
            same_region = a.region == b.region or "whole_face" in (a.region, b.region)
            if kind[a.key] in device and kind[b.key] in injected and same_region and abs((b.date - a.date).days) < 14:
                out.append(f"device and injection less than 2 weeks apart: {a.key} and {b.key}")
            if a.modality == b.modality == "toxin" and a.visit != b.visit and abs((b.date - a.date).days) < 84:
                out.append("toxin sooner than 12 weeks")
    planned = set(plan.treatments)
    if "ha_lips" in planned and indicated(plan, patient, "ha_chin") and "ha_chin" not in planned:
        out.append("lips planned without the chin they wait for")
    midface = {"ha_cheek", "plla_course"} & planned
    lower = [i for i in items if i.region == "lower_face" and kind[i.key] in ("filler", "biostimulator")]
    if lower and not midface and (indicated(plan, patient, "ha_cheek") or indicated(plan, patient, "plla_course")):
        out.append("lower-face filler planned without the midface support it waits for")
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
    filler_ml = [i for i in items if i.modality in ("ha", "caha")]
    for v in plan.visits:
        here = [i for i in items if i.visit == v.index]
        if sum(math.ceil(i.dose_high - 1e-9) for i in here if i.modality == "ha") > lim.visit_cap_syringes:
            out.append(f"visit {v.index} over the syringe cap")
        if sum(i.dose_high for i in here if i.modality == "toxin") > lim.visit_cap_toxin_units:
            out.append(f"visit {v.index} over the toxin-unit cap")
        if sum(i.dose_high for i in here if i.modality == "plla") > lim.visit_cap_plla_vials:
            out.append(f"visit {v.index} over the PLLA-vial cap")
        if sum(i.dose_high for i in filler_ml if i.visit == v.index) > volume.visit_cap_filler_ml + 1e-9:
            out.append(f"visit {v.index} over the filler volume per visit")
    if sum(i.dose_high for i in filler_ml) > volume.plan_cap_filler_ml + 1e-9:
        out.append("over the filler volume per plan")
    ledger = filler_ledger(patient.history, on=START, persistence_years=RULES.ledger_persistence_years)
    dissolved = {i.area for i in items if i.modality == "hyaluronidase"}
    for area in {i.area for i in items if i.modality in ("ha", "caha")}:
        cap = CATALOG.areas[area].cumulative_cap_ml
        present = 0.0 if area in dissolved else ledger.present_ml(area)
        planned_ml = sum(i.dose_high for i in items if i.area == area and i.modality in ("ha", "caha"))
        if cap is not None and present + planned_ml > cap + 1e-9:
            out.append(f"{area} over its cumulative cap")
    for i in items:
        _, high = CATALOG.treatments[i.treatment].total_dose_for(patient.sex)
        if i.dose_high > high + 1e-9:
            out.append(f"{i.key} above the catalogue's dose")
    budget = patient.preferences.budget_usd
    if budget is not None:
        for phase in {i.phase for i in items}:
            spent = sum(i.price.on(patient.preferences.budget_basis) for i in items if i.phase == phase and i.price)
            if spent > budget + 1:
                out.append(f"over budget in phase {phase}: {spent} > {budget}")
    return out


@settings(max_examples=60)
@given(patients())
def test_no_plan_ever_breaks_a_precedence_interval_cap_or_budget(patient: Intake) -> None:
    plan = plan_for(patient, explain=False)
    assert broken_rules(plan, patient) == []
