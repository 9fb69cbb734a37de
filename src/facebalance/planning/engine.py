"""From findings and intake to a safe, sequenced, priced plan: the orchestration of the planning steps.

1. Safety first: eligibility and the BDDQ-AS screen (positive -> no plan, refer).
2. Candidates: each indication row whose evidence holds proposes its treatment, valued by priority,
   severity and the patient's own concerns; suppress rows remove, same-visit rows add companions;
   disliked HA from elsewhere becomes a dissolve-first item.
3. Contraindications defer or exclude modalities; cautions become item flags.
4. The over-treatment guard: the filler ledger and area caps trim doses, the lip guard checks the E-line
   and the upper:lower ratio.
5. The solver (:mod:`facebalance.planning.solver`) chooses and orders; every omission is explained.
6. Pricing, timeline, maintenance calendar and the toxin cadence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from facebalance.planning.cadence import ToxinCadence, toxin_cadence
from facebalance.planning.candidates import (
    DISSOLVE,
    Candidate,
    apply_contraindications,
    apply_guards,
    block_undissolvable,
    corrective,
    evidence_from,
    price_of,
    propose,
    solver_problem,
    unsupported_requests,
)
from facebalance.planning.catalog import REGION_ORDER
from facebalance.planning.content import PlanningData
from facebalance.planning.documents import PlanStatus
from facebalance.planning.errors import IntakeError
from facebalance.planning.explain import lower_first, omission_sentence, summary_sentence, visit_purpose, when_sentence
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.ledger import FillerLedger, filler_ledger
from facebalance.planning.plan import (
    Flag,
    LedgerRow,
    Omission,
    Plan,
    PlannedItem,
    Pricing,
    PricingRow,
    Referral,
    SolverSummary,
    Visit,
)
from facebalance.planning.pricing import ZERO, PriceRange
from facebalance.planning.rules import Evidence
from facebalance.planning.safety import (
    ScreenResult,
    contraindications_for,
    expectation_flags,
    repeat_treatment_flags,
    screen_bddq_as,
)
from facebalance.planning.solver import Schedule, SolverProblem, explain_omissions, solve
from facebalance.planning.timeline import MaintenanceEntry, add_months, item_timeline

__all__ = [
    "PlanningData",
    "Shaping",
    "assemble_plan",
    "build_plan",
    "patient_toxin_cadence",
    "safety_gate",
    "shape_candidates",
    "toxin_release_day",
]


def toxin_release_day(intake: Intake, limits_days: int) -> tuple[int, date | None]:
    """Days after the intake's start date before toxin may be given again (``limits_days`` after the last toxin
    of the history), and that last toxin's date (``(0, None)`` without toxin). The planner and charting
    (:mod:`facebalance.planning.charting`) both read it."""
    toxin_dates = [t.date for t in intake.history if t.modality == "toxin"]
    if not toxin_dates:
        return 0, None
    last = max(toxin_dates)
    return max(0, (last + timedelta(days=limits_days) - intake.start_date).days), last


def patient_toxin_cadence(intake: Intake, planned: Sequence[Candidate], data: PlanningData) -> ToxinCadence | None:
    """The patient's learnt toxin cadence (``None`` without toxin on record or planned)."""
    toxin_history = [t for t in intake.history if t.modality == "toxin"]
    if not toxin_history and not any(c.treatment.modality == "toxin" for c in planned):
        return None
    last = max(toxin_history, key=lambda t: t.date) if toxin_history else None
    low_dose = False
    if last is not None:
        match = [t for t in data.catalog.treatments.values() if t.modality == "toxin" and t.area == last.area]
        low_dose = bool(match) and last.amount < match[0].total_dose[0]
    large = any(c.treatment.large_muscle for c in planned) or any(t.area == "masseter" for t in toxin_history)
    return toxin_cadence(
        intake.history,
        rules=data.rules.cadence,
        high_exercise=intake.high_exercise,
        low_dose=low_dose,
        large_muscle=large,
    )


def _refused(
    status: PlanStatus,
    intake: Intake,
    screening: ScreenResult,
    summary: str,
    data: PlanningData,
    *,
    flags: Sequence[Flag] = (),
    referrals: Sequence[Referral] = (),
    omissions: Sequence[Omission] = (),
    notes: Sequence[str] = (),
) -> Plan:
    return Plan(
        status,
        intake.start_date,
        summary,
        (),
        (),
        tuple(omissions),
        tuple(flags),
        tuple(referrals),
        tuple(notes),
        None,
        (),
        None,
        (),
        screening,
        None,
        data.versions,
    )


@dataclass
class _Shaped:
    """The candidates after rules, relations, safety and the guards, with everything they left behind."""

    candidates: dict[str, Candidate]
    omissions: list[Omission]
    notes: list[str]
    referrals: list[Referral]
    flags: list[Flag]
    dissolving: set[str]
    deferred_because: list[str]
    ledger: FillerLedger


def safety_gate(intake: Intake, data: PlanningData) -> tuple[ScreenResult, list[Flag], Plan | None]:
    """Eligibility and the BDDQ-AS screen: the flags to carry, and a refusal plan when there is no plan."""
    screening = screen_bddq_as(intake.bddq_as, intake.bddq_as_override, data.safety.bddq_as)
    source = data.safety.bddq_as.source
    flags: list[Flag] = []
    if not screening.recorded:
        flags.append(Flag("bddq_as_missing", "high", screening.sentence, source))
    elif screening.positive and screening.proceed:
        flags.append(Flag("bddq_as_override", "high", screening.sentence, source))
    if intake.age_years is not None and intake.age_years < data.safety.min_age_years:
        sentence = f"Under {data.safety.min_age_years}: no elective aesthetic plan."
        flag = Flag("under_age", "high", sentence, data.safety.eligibility_source)
        return screening, flags, _refused("refer", intake, screening, sentence, data, flags=[flag])
    if not screening.proceed:
        referral = Referral("bddq_as_positive", data.safety.bddq_as.refer_to, screening.sentence, source)
        flag = Flag("bddq_as_positive", "high", screening.sentence, source)
        refused = _refused("refer", intake, screening, screening.sentence, data, flags=[flag], referrals=[referral])
        return screening, flags, refused
    return screening, flags, None


def _check_references(intake: Intake, data: PlanningData) -> None:
    """Refuse history areas and requested treatments the catalogue does not know."""
    for t in intake.history:
        if t.area not in data.catalog.areas:
            raise IntakeError(
                f"History entry of {t.date.isoformat()} names unknown area {t.area!r}.",
                hint=f"Use one of: {', '.join(data.catalog.areas)}.",
            )
    for tid in intake.requested_treatments:
        if tid not in data.catalog.treatments or tid == DISSOLVE:
            raise IntakeError(
                f"Requested treatment {tid!r} is not in the catalogue.",
                hint=f"Use one of: {', '.join(t for t in data.catalog.treatments if t != DISSOLVE)}.",
            )


def _shape(ev: Evidence, intake: Intake, values: Mapping[str, float], data: PlanningData, flags: list[Flag]) -> _Shaped:
    """Candidates from the rule rows, through corrective, contraindication and over-treatment steps."""
    candidates, omissions, notes = propose(ev, intake, data)
    referrals = [
        Referral(r.id, r.to, r.sentence, r.source) for r in data.rules.referrals if any(c.holds(ev) for c in r.when_any)
    ]
    dissolving = corrective(intake, candidates, data, flags)
    omissions += unsupported_requests(intake, candidates, data, {o.treatment for o in omissions})
    hits = contraindications_for(intake.medical, data.safety)
    omissions += apply_contraindications(candidates, hits, flags)
    flags += [Flag("expectations", "caution", s) for s in expectation_flags(intake, data.safety)]
    flags += [
        Flag("repeat_treatment", "caution", s, data.safety.repeat.source)
        for s in repeat_treatment_flags(intake, data.safety.repeat)
    ]
    for rf in data.rules.flags:
        if rf.treatment in candidates:
            candidates[rf.treatment].flags.append(rf.sentence)
    label_months = {t.area: t.durability_months[1] for t in data.catalog.treatments.values() if t.modality == "ha"}
    ledger = filler_ledger(
        intake.history,
        on=intake.start_date,
        persistence_years=data.rules.ledger_persistence_years,
        label_months=label_months,
    )
    omissions += apply_guards(candidates, intake, values, ledger, dissolving, data)
    omissions += block_undissolvable(candidates, dissolving)
    release, last_toxin = toxin_release_day(intake, data.rules.limits.toxin_min_interval_days)
    for c in candidates.values():
        if c.treatment.modality == "toxin" and release > 0 and last_toxin is not None:
            c.release_day = release
            c.flags.append(
                f"Last toxin on {last_toxin.isoformat()}: not before "
                f"{(intake.start_date + timedelta(days=release)).isoformat()} "
                f"({data.rules.limits.toxin_min_interval_weeks:g}-week minimum interval)."
            )
    deferred = sorted({h.rule.sentence for h in hits if h.rule.action == "defer"})
    return _Shaped(candidates, omissions, notes, referrals, flags, dissolving, deferred, ledger)


def _explained_omissions(
    problem: SolverProblem,
    schedule: Schedule,
    by_key: Mapping[str, Candidate],
    intake: Intake,
    data: PlanningData,
    *,
    explain: bool,
) -> list[Omission]:
    """One omission per treatment the solver left out, with the limit that kept it out."""
    out = []
    if not explain:
        planned_groups = {by_key[k].group for k in schedule.selected}
        return [
            Omission(c.treatment.id, c.label, "several", f"{c.label} omitted by the solver (not explained).")
            for c in by_key.values()
            if c.group not in planned_groups and c.key == c.group
        ]
    for group, reason in explain_omissions(problem, schedule).items():
        c = next(i for i in by_key.values() if i.group == group)
        if c.session > 1 and f"{c.treatment.id}#1" not in schedule.visit_of:
            continue  # a later session of a course left out whole: the course's omission covers it
        if c.session == 1:
            c = replace(c, session=0)
        out.append(
            Omission(
                c.key if c.session > 1 else c.treatment.id,
                c.label,
                reason.kind,
                omission_sentence(reason, c, by_key, problem, data, intake, price_of(c, data.prices)),
            )
        )
    return out


def _planned_item(
    key: str,
    schedule: Schedule,
    problem: SolverProblem,
    by_key: Mapping[str, Candidate],
    intake: Intake,
    data: PlanningData,
) -> PlannedItem:
    c = by_key[key]
    modality = data.catalog.modality_of(c.treatment)
    given = intake.start_date + timedelta(days=schedule.day_of(key))
    unit = "mL" if c.treatment.modality in ("ha", "caha") else modality.unit
    lo, hi = c.dose_low, c.dose_high
    if (lo, hi) == c.treatment.total_dose:
        dose_text = c.treatment.dose_text(unit)
    else:
        dose_text = f"{lo:g}-{hi:g} {unit}" if lo != hi else f"{lo:g} {unit}"
    if c.lip_upper_share is not None:
        dose_text += f" ({c.lip_upper_share:.0%} upper lip, {1 - c.lip_upper_share:.0%} lower)"
    return PlannedItem(
        key=key,
        treatment=c.treatment.id,
        label=c.label,
        modality=c.treatment.modality,
        product_class=c.treatment.product_class,
        area=c.area,
        region=data.catalog.region_of(c.area),
        visit=schedule.visit_of[key],
        date=given,
        dose_low=lo,
        dose_high=hi,
        unit=unit,
        dose_text=dose_text,
        price=price_of(c, data.prices),
        value=c.value,
        rules=tuple(c.rules),
        evidence=tuple(c.evidence),
        why=f"{c.label} because {'; '.join(c.evidence)}. {c.rationale}".strip(),
        when=when_sentence(key, schedule, problem, by_key, intake, data),
        flags=tuple(dict.fromkeys(c.flags)),
        reversible=modality.reversible,
        reversal=modality.reversal,
        timeline=item_timeline(c.treatment, modality, given, sessions_left=max(0, c.sessions - c.session)),
        sources=tuple(dict.fromkeys((c.treatment.source, c.treatment.durability_source))),
    )


def _ledger_rows(
    ledger: FillerLedger, planned: Sequence[PlannedItem], dissolving: set[str], data: PlanningData
) -> tuple[LedgerRow, ...]:
    """Earlier filler possibly present per area, and what the plan adds (at the high dose)."""
    rows = {
        a.area: LedgerRow(a.area, a.present_ml, a.label_expired_ml, 0.0, data.catalog.areas[a.area].cumulative_cap_ml)
        for a in ledger.areas.values()
    }
    for i in planned:
        if i.modality in ("ha", "caha"):
            prev = rows.get(i.area, LedgerRow(i.area, 0.0, 0.0, 0.0, data.catalog.areas[i.area].cumulative_cap_ml))
            rows[i.area] = replace(prev, planned_ml_high=prev.planned_ml_high + i.dose_high)
    for area in dissolving:
        if area in rows:
            rows[area] = replace(rows[area], present_ml=0.0)
    return tuple(sorted(rows.values(), key=lambda r: r.area))


@dataclass
class Shaping:
    """Everything before the solver: the safety gate, and the candidates shaped by rules, safety and guards.

    ``refused`` is the finished plan when the safety gate stops planning (no candidates are shaped then).
    """

    intake: Intake
    data: PlanningData
    measurements: dict[str, float]
    screening: ScreenResult
    shaped: _Shaped | None
    refused: Plan | None


def shape_candidates(
    findings: Sequence[FindingInput],
    intake: Intake,
    *,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
) -> Shaping:
    """Steps 1-4 of :func:`build_plan` (safety gate, candidates, contraindications, over-treatment guard).

    :mod:`facebalance.planning.edit` re-runs them on every edit of a plan, so a clinician's change meets the
    same gates as the engine's own choice.
    """
    data = data or PlanningData.default()
    _check_references(intake, data)
    ev = evidence_from(findings, intake, data.scales)
    values = dict(measurements or {})
    for f in ev.findings.values():
        values.update(f.values)
    values.update(intake.measurements)
    screening, flags, refused = safety_gate(intake, data)
    if refused is not None:
        return Shaping(intake, data, values, screening, None, refused)
    return Shaping(intake, data, values, screening, _shape(ev, intake, values, data, flags), None)


def _nothing(shaping: Shaping, status: PlanStatus, summary: str, omissions: Sequence[Omission]) -> Plan:
    shaped, intake, data = shaping.shaped, shaping.intake, shaping.data
    assert shaped is not None
    plan = _refused(
        status,
        intake,
        shaping.screening,
        summary,
        data,
        flags=shaped.flags,
        referrals=shaped.referrals,
        omissions=sorted(omissions, key=lambda o: o.treatment),
        notes=shaped.notes,
    )
    return replace(
        plan, ledger=_ledger_rows(shaped.ledger, (), set(), data), toxin_cadence=patient_toxin_cadence(intake, [], data)
    )


def build_plan(
    findings: Sequence[FindingInput],
    intake: Intake,
    *,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
    explain: bool = True,
) -> Plan:
    """Plan the patient's treatment from the findings and the intake.

    Parameters
    ----------
    findings : sequence of FindingInput
        Confirmed findings from the frontal (and later profile/dynamic) analyses; the intake may add more.
    intake : Intake
        Concerns, grades, history, medical history, BDDQ-AS, budget and visit preferences.
    measurements : mapping of str to float, optional
        Measurement values by id (the frontal ``upper_vermilion_height_mm``..., profile
        ``profile.lower_lip_to_e_line_mm``...), for the lip guard; the intake's ``measurements`` are added.
    data : PlanningData, optional
        Catalogue, rules, safety rules, scales and prices; the packaged defaults if omitted.
    explain : bool
        Explain omissions by re-solving (a few extra solves per omitted item).

    Returns
    -------
    Plan
        ``status`` "proposed" with visits and items, or "refer", "deferred", "nothing_to_treat" with why.

    Raises
    ------
    IntakeError
        For grades off their scale, unknown areas or treatments, or an override without a written reason.
    """
    shaping = shape_candidates(findings, intake, measurements=measurements, data=data)
    if shaping.refused is not None:
        return shaping.refused
    shaped, data = shaping.shaped, shaping.data
    assert shaped is not None
    if not shaped.candidates:
        if shaped.deferred_because:
            return _nothing(
                shaping, "deferred", "No treatment now: " + " ".join(shaped.deferred_because), shaped.omissions
            )
        return _nothing(
            shaping, "nothing_to_treat", "Nothing can be planned: each considered treatment says why.", shaped.omissions
        )
    problem, by_key = solver_problem(shaped.candidates, intake, shaped.ledger, shaped.dissolving, data)
    schedule = solve(problem)
    omissions = shaped.omissions + _explained_omissions(problem, schedule, by_key, intake, data, explain=explain)
    if not schedule.selected:
        return _nothing(
            shaping,
            "nothing_to_treat",
            "No treatment fits the plan's limits now: each considered treatment says why.",
            omissions,
        )
    return assemble_plan(shaping, problem, by_key, schedule, omissions)


def assemble_plan(
    shaping: Shaping,
    problem: SolverProblem,
    by_key: Mapping[str, Candidate],
    schedule: Schedule,
    omissions: Sequence[Omission],
    *,
    extra_flags: Sequence[Flag] = (),
) -> Plan:
    """The proposed plan of a schedule: items with why and when, visits, pricing, maintenance, ledger.

    Used for the solver's schedule and for a clinician's edited one (:mod:`facebalance.planning.edit`), so
    both are priced and explained the same way. ``extra_flags`` are added after the engine's own.
    """
    shaped, intake, data = shaping.shaped, shaping.intake, shaping.data
    assert shaped is not None
    catalog_order = {tid: n for n, tid in enumerate(data.catalog.treatments)}
    planned = sorted(
        (_planned_item(k, schedule, problem, by_key, intake, data) for k in schedule.selected),
        key=lambda i: (
            i.visit,
            data.rules.order_in_visit(data.catalog.modalities[i.modality].kind),
            REGION_ORDER.index(i.region),
            catalog_order[i.treatment],
            i.key,
        ),
    )
    visits = _visits(planned, schedule, by_key, intake, data)
    pricing = _pricing(planned, visits, intake, data)
    cadence = patient_toxin_cadence(intake, [by_key[k] for k in schedule.selected], data)
    omissions = sorted(omissions, key=lambda o: o.treatment)
    return Plan(
        status="proposed",
        start_date=intake.start_date,
        summary=summary_sentence(planned, visits, pricing, omissions),
        visits=tuple(visits),
        items=tuple(planned),
        omissions=tuple(omissions),
        flags=(*shaped.flags, *extra_flags),
        referrals=tuple(shaped.referrals),
        notes=tuple(shaped.notes),
        pricing=pricing,
        maintenance=_maintenance(planned, cadence, data),
        toxin_cadence=cadence,
        ledger=_ledger_rows(shaped.ledger, planned, shaped.dissolving, data),
        screening=shaping.screening,
        solver=SolverSummary(
            schedule.status,
            schedule.value / 100,
            len(visits),
            problem.max_visits,
            intake.preferences.budget_usd,
            intake.preferences.budget_basis,
            float(schedule.cost),
        ),
        data_versions=data.versions,
    )


def _visits(
    planned: Sequence[PlannedItem],
    schedule: Schedule,
    by_key: Mapping[str, Candidate],
    intake: Intake,
    data: PlanningData,
) -> list[Visit]:
    """The schedule's visits: date, items, price and purpose."""
    visits = []
    for v, day in enumerate(schedule.visit_days):
        keys = tuple(i.key for i in planned if i.visit == v)
        price = sum((i.price for i in planned if i.visit == v), ZERO)
        visits.append(
            Visit(v, day, intake.start_date + timedelta(days=day), keys, price, visit_purpose(keys, by_key, data))
        )
    return visits


def _pricing(planned: Sequence[PlannedItem], visits: Sequence[Visit], intake: Intake, data: PlanningData) -> Pricing:
    rows = []
    notes = []
    if intake.new_patient and "consultation_new" in data.prices.rows:
        r = data.prices.rows["consultation_new"]
        rows.append(PricingRow(None, r.label, "1 visit", PriceRange(r.low, r.high).text(), PriceRange(r.low, r.high)))
        if r.high == 0:
            notes.append("Consultation: free for new patients.")
    for i in planned:
        row = data.prices.rows[data.catalog.treatments[i.treatment].price]
        qlo, qhi = row.quantity_billed(i.dose_low), row.quantity_billed(i.dose_high)
        quantity = f"{qlo:g}-{qhi:g} {row.per}" if qlo != qhi else f"{qlo:g} {row.per}"
        rows.append(
            PricingRow(i.visit, i.label, quantity, PriceRange(row.low, row.high).text() + f" per {row.per}", i.price)
        )
    total = sum((v.price for v in visits), ZERO)
    typical = data.prices.typical_plan
    within = typical.low <= total.low and total.high <= typical.high
    if not within:
        notes.append(
            f"Total {total.text()} is outside the clinic's typical {typical.text()} for a full facial-balancing plan."
        )
    units = sum(i.dose_high for i in planned if i.modality == "toxin")
    lo_u, hi_u = data.prices.typical_toxin_units
    if units > hi_u:
        notes.append(f"Up to {units:g} toxin units: more than the {lo_u}-{hi_u} units typical for balancing.")
    if any(i.unit == "mL" and i.dose_low % 1 for i in planned if i.modality == "ha"):
        notes.append("HA is charged per syringe opened: part-syringe doses are billed as whole syringes.")
    notes.append(
        "Prices are ranges: the low end is the low dose at the low price, the high end the high dose at the high "
        "price; the final price is confirmed at each visit."
    )
    return Pricing(
        tuple(rows),
        tuple(v.price for v in visits),
        total,
        typical,
        within,
        intake.preferences.budget_usd,
        intake.preferences.budget_basis,
        tuple(notes),
        f"{data.prices.name} {data.prices.version}".strip(),
    )


def _maintenance(
    planned: Sequence[PlannedItem], cadence: ToxinCadence | None, data: PlanningData
) -> tuple[MaintenanceEntry, ...]:
    out = []
    last_toxin = max((i.date for i in planned if i.modality == "toxin"), default=None)
    if last_toxin is not None and cadence is not None:
        due = cadence.next_after(last_toxin)
        out.append(
            MaintenanceEntry(
                "toxin",
                "Toxin (all planned toxin areas)",
                due,
                due + timedelta(days=data.rules.cadence.due_window_days),
                f"Next toxin from {due.isoformat()} ({cadence.weeks:g} weeks after {last_toxin.isoformat()}; "
                f"never sooner than {cadence.floor_weeks:g} weeks).",
            )
        )
    seen: set[str] = set()
    for i in sorted(planned, key=lambda i: i.date, reverse=True):
        if i.modality in ("toxin", DISSOLVE) or i.treatment in seen:
            continue
        seen.add(i.treatment)
        t = data.catalog.treatments[i.treatment]
        lo, hi = t.durability_months
        start, end = add_months(i.date, lo), add_months(i.date, hi)
        out.append(
            MaintenanceEntry(
                i.treatment,
                t.label,
                start,
                end,
                f"Review {lower_first(t.label)} between {start.isoformat()} and {end.isoformat()}: touch up only "
                "what has faded on examination (the ledger counts earlier product as still present).",
            )
        )
    return tuple(sorted(out, key=lambda m: m.due_from))
