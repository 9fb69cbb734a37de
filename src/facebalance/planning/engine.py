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
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from facebalance.planning.cadence import ToxinCadence, toxin_cadence
from facebalance.planning.candidates import (
    DISSOLVE,
    HA_WITHOUT_HYALURONIDASE,
    LOW_DOSE,
    PLLA_SESSIONS,
    Candidate,
    apply_contraindications,
    apply_guards,
    block_undissolvable,
    corrective,
    evidence_from,
    lip_check,
    price_of,
    propose,
    solver_problem,
    unsupported_requests,
)
from facebalance.planning.catalog import REGION_ORDER
from facebalance.planning.checks import check_intake
from facebalance.planning.content import PlanningData
from facebalance.planning.documents import PlanStatus
from facebalance.planning.explain import lower_first, omission_sentence, summary_sentence, visit_purpose, when_sentence
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.ledger import FillerLedger, filler_ledger
from facebalance.planning.patient import LeftOut, PlannedFacts, Sources, patient_section
from facebalance.planning.plan import (
    Flag,
    LedgerRow,
    Omission,
    OverrideRecord,
    Phase,
    Plan,
    PlannedItem,
    Pricing,
    PricingRow,
    Reassess,
    Reconsult,
    Referral,
    SolverSummary,
    Untreated,
    Visit,
)
from facebalance.planning.pricing import ZERO, PriceRange
from facebalance.planning.rules import Evidence
from facebalance.planning.safety import (
    SELECTION_GATE,
    Hold,
    ScreenResult,
    contraindications_for,
    expectation_flags,
    repeat_treatment_flags,
    screen_bddq_as,
    selection_holds,
)
from facebalance.planning.solver import Schedule, SolverProblem, explain_omissions, solve
from facebalance.planning.timeline import MaintenanceEntry, add_months, course_end, item_timeline

__all__ = [
    "SEX_MISMATCH",
    "PlanningData",
    "SafetyGate",
    "Shaping",
    "assemble_plan",
    "build_plan",
    "patient_toxin_cadence",
    "safety_gate",
    "shape_candidates",
    "toxin_release_day",
]

#: The flag id of an assessment measured against the other sex's norms (an edit keeps it on the plan).
SEX_MISMATCH = "sex_mismatch"


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
    gate: SafetyGate | None = None,
    reconsult: Reconsult | None = None,
) -> Plan:
    return Plan(
        status=status,
        start_date=intake.start_date,
        summary=summary,
        visits=(),
        items=(),
        omissions=tuple(omissions),
        flags=tuple(flags),
        referrals=tuple(referrals),
        notes=tuple(notes),
        pricing=None,
        maintenance=(),
        toxin_cadence=None,
        ledger=(),
        screening=screening,
        solver=None,
        data_versions=data.versions,
        overrides=gate.overrides if gate is not None else (),
        untreated=gate.untreated if gate is not None else (),
        free_text=gate.free_text if gate is not None else {},
        reconsult=reconsult,
    )


def _reconsult(intake: Intake, data: PlanningData, reasons: Sequence[tuple[str, str]], patient: str) -> Reconsult:
    """The re-consultation after deferrals or holds: the latest of their dates (``reasons``: key, sentence)."""
    days = data.safety.reconsult_days
    latest = max((days.get(key, days["hold"]) for key, _ in reasons), default=days["hold"])
    return Reconsult(intake.start_date + timedelta(days=latest), tuple(dict.fromkeys(s for _, s in reasons)), patient)


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
    deferred_rows: list[tuple[str, str, str]] = field(default_factory=list)
    overrides: list[OverrideRecord] = field(default_factory=list)


@dataclass(frozen=True)
class SafetyGate:
    """What the safety gate passes on (to the planner and to charting): the screen, the flags to carry, the
    overrides relied on, the findings left untreated on purpose and the intake's free text; ``refused`` is the
    finished plan when there is none."""

    screening: ScreenResult
    flags: tuple[Flag, ...]
    overrides: tuple[OverrideRecord, ...]
    untreated: tuple[Untreated, ...]
    free_text: Mapping[str, tuple[str, ...]]
    refused: Plan | None = None


def _override_record(gate: str, intake: Intake, sentence: str) -> OverrideRecord:
    o = intake.overrides[gate]
    return OverrideRecord(gate, o.clinician.strip(), o.reason.strip(), sentence, o.treatment)


def _hold_plan(gate: SafetyGate, intake: Intake, holds: Sequence[Hold], data: PlanningData) -> Plan:
    flags = [*gate.flags, *(Flag(h.id, "high", h.sentence, h.source) for h in holds)]
    summary = (
        "No plan for now: patient selection holds it until a clinician has explored the expectation with the "
        "patient; a clinician may override the hold with a written reason (overrides.patient_selection)."
    )
    reconsult = _reconsult(
        intake, data, [("hold", h.sentence) for h in holds], " ".join(dict.fromkeys(h.patient for h in holds))
    )
    return _refused("hold", intake, gate.screening, summary, data, flags=flags, gate=gate, reconsult=reconsult)


def _free_text(intake: Intake) -> dict[str, tuple[str, ...]]:
    fields = {
        "medical.allergies_other": intake.medical.allergies_other,
        "medical.medications_other": intake.medical.medications_other,
        "concerns_other": intake.concerns_other,
        "findings_other": intake.findings_other,
    }
    return {k: v for k, v in fields.items() if v}


def _findings_flags(
    findings: Sequence[FindingInput], intake: Intake, data: PlanningData
) -> tuple[list[Flag], list[Untreated]]:
    """Flags for the free text and for analysis findings the planner does not know; the findings left
    without an injectable answer on purpose."""
    flags = []
    free = _free_text(intake)
    if free:
        listed = "; ".join(f"{k}: {', '.join(v)}" for k, v in free.items())
        flags.append(
            Flag(
                "free_text",
                "caution",
                f"Recorded as free text and not checked by the planner: {listed}. Review each against the planned "
                "products before treatment.",
            )
        )
    vocab = data.vocabulary
    unknown = sorted({f.id for f in findings if vocab.finding(f.id) is None})
    if unknown:
        flags.append(
            Flag(
                "finding_not_read",
                "info",
                f"Finding(s) the planning rules do not read (a clinic rule of the assessment?): {', '.join(unknown)}. "
                "Judge them clinically.",
            )
        )
    untreated: dict[str, Untreated] = {}
    for f in (*findings, *intake.findings):
        entry = vocab.finding(f.id)
        if entry is not None and entry.untreated and f.id not in untreated:
            untreated[f.id] = Untreated(f.id, f"{f.id}: {entry.untreated}", entry.untreated_plain)
    return flags, list(untreated.values())


def safety_gate(findings: Sequence[FindingInput], intake: Intake, data: PlanningData) -> SafetyGate:
    """Eligibility, the BDDQ-AS screen and patient selection: the flags to carry, and a refusal plan when
    there is no plan."""
    screening = screen_bddq_as(intake.bddq_as, intake.bddq_as_override, data.safety.bddq_as)
    source = data.safety.bddq_as.source
    flags: list[Flag] = []
    overrides: list[OverrideRecord] = []
    if not screening.recorded:
        flags.append(Flag("bddq_as_missing", "high", screening.sentence, source))
    elif screening.positive and screening.proceed:
        flags.append(Flag("bddq_as_override", "high", screening.sentence, source))
        o = intake.bddq_as_override
        assert o is not None
        overrides.append(OverrideRecord("bddq_as", o.clinician.strip(), o.reason.strip(), screening.sentence))
    more_flags, untreated = _findings_flags(findings, intake, data)
    flags += more_flags
    gate = SafetyGate(screening, tuple(flags), tuple(overrides), tuple(untreated), _free_text(intake))
    if intake.age_years is not None and intake.age_years < data.safety.min_age_years:
        sentence = f"Under {data.safety.min_age_years}: no elective aesthetic plan."
        flag = Flag("under_age", "high", sentence, data.safety.eligibility_source)
        return replace(gate, refused=_refused("refer", intake, screening, sentence, data, flags=[flag], gate=gate))
    if not screening.proceed:
        referral = Referral("bddq_as_positive", data.safety.bddq_as.refer_to, screening.sentence, source)
        flag = Flag("bddq_as_positive", "high", screening.sentence, source)
        reconsult = _reconsult(
            intake, data, [("bddq_as_positive", screening.sentence)], data.wording.plan["after_screening"]
        )
        refused = _refused(
            "refer",
            intake,
            screening,
            screening.sentence,
            data,
            flags=[*flags, flag],
            referrals=[referral],
            gate=gate,
            reconsult=reconsult,
        )
        return replace(gate, refused=refused)
    labels = {a.id: a.label for a in data.catalog.areas.values()}
    holds = selection_holds(intake, data.safety, labels)
    if holds and SELECTION_GATE not in intake.overrides:
        return replace(gate, refused=_hold_plan(gate, intake, holds, data))
    if holds:
        o = intake.overrides[SELECTION_GATE]
        listed = " ".join(h.sentence for h in holds)
        sentence = (
            f"Patient-selection hold overridden by {o.clinician.strip()}: {o.reason.strip()} (The hold: {listed})"
        )
        flags.append(Flag("selection_override", "high", sentence, holds[0].source))
        overrides.append(_override_record(SELECTION_GATE, intake, sentence))
    return replace(gate, flags=tuple(flags), overrides=tuple(overrides))


def _shape(ev: Evidence, intake: Intake, values: Mapping[str, float], data: PlanningData, flags: list[Flag]) -> _Shaped:
    """Candidates from the rule rows, through corrective, contraindication and over-treatment steps."""
    candidates, omissions, notes = propose(ev, intake, data)
    held = [r for r in data.rules.referrals if any(c.holds(ev) for c in r.when_any)]
    referrals = [Referral(r.id, r.to, r.sentence, r.source, r.can, r.cannot) for r in held]
    dissolving = corrective(intake, candidates, data, flags)
    omissions += unsupported_requests(intake, candidates, data, omissions)
    hits = contraindications_for(intake.medical, data.safety, data.vocabulary)
    omissions += apply_contraindications(candidates, hits, flags, intake, data)
    flags += [Flag("expectations", "caution", s) for s in expectation_flags(intake, data.safety)]
    flags += [
        Flag("repeat_treatment", "caution", s, data.safety.repeat.source)
        for s in repeat_treatment_flags(intake, data.safety.repeat)
    ]
    for rf in data.rules.flags:
        if rf.holds(ev, intake.sex):
            for c in candidates.values():
                if c.treatment.id in rf.treatments:
                    c.flags.append(rf.sentence)
    for c in candidates.values():
        if c.treatment.optional:
            c.role = "optional"
    for r in held:
        for c in candidates.values():
            if data.catalog.modality_of(c.treatment).kind in r.adjunct_kinds:
                c.role = "adjunct"
                c.flags.append(r.adjunct)
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
    deferred_rows = [(h.rule.id, h.rule.sentence, h.rule.patient) for h in hits if h.rule.action == "defer"]
    shaped = _Shaped(candidates, omissions, notes, referrals, flags, dissolving, deferred, ledger, deferred_rows)
    shaped.overrides = _overrides_used(shaped, intake, data)
    return shaped


def _overrides_used(shaped: _Shaped, intake: Intake, data: PlanningData) -> list[OverrideRecord]:
    """The clinician's overrides the shaped candidates rely on (HA without hyaluronidase, a non-reversible
    product), to be recorded on the plan."""
    out = []
    for f in shaped.flags:
        if f.id == "ha_without_reversal" and HA_WITHOUT_HYALURONIDASE in intake.overrides:
            out.append(_override_record(HA_WITHOUT_HYALURONIDASE, intake, f.sentence))
    for ind in data.rules.indications:
        if ind.needs_override and ind.treatment in shaped.candidates:
            label = shaped.candidates[ind.treatment].label
            out.append(_override_record(ind.needs_override, intake, f"{label} chosen by the clinician: {ind.withheld}"))
    return list({o.gate: o for o in out}.values())


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
    basis = intake.preferences.budget_basis
    for group, reason in explain_omissions(problem, schedule).items():
        members = [i for i in by_key.values() if i.group == group]
        c = members[0]
        if reason.kind == "budget" and not reason.displaced:
            # What does not fit at all is quoted at its cheapest dose (a lowered dose is the solver's to choose).
            c = min(members, key=lambda i: (price_of(i, data.prices) or ZERO).on(basis))
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


def _reassess(
    key: str, schedule: Schedule, problem: SolverProblem, by_key: Mapping[str, Candidate], intake: Intake
) -> tuple[Reassess, ...]:
    """The earlier steps this item waits for, each with the date its result can be judged (the link's gap,
    which follows the product's integration time: 90 days after the last PLLA session of a course)."""
    out: dict[str, Reassess] = {}
    for link in problem.links:
        if link.after != key or link.before not in schedule.visit_of or link.rule == PLLA_SESSIONS:
            continue
        before = by_key[link.before]
        on = intake.start_date + timedelta(days=schedule.day_of(link.before) + link.min_gap_days)
        step = before.treatment.id if before.sessions > 1 else before.key
        if step in out and out[step].on >= on:
            continue
        label = before.treatment.label if before.sessions > 1 else before.label
        after = "after its last session" if before.sessions > 1 else "after it"
        out[step] = Reassess(
            step,
            label,
            on,
            f"Reassess {lower_first(label)} before this step: its result is judged from {on.isoformat()} "
            f"({link.min_gap_days} days {after}).",
            link.rule,
        )
    return tuple(sorted(out.values(), key=lambda r: r.on))


def _planned_item(
    key: str,
    schedule: Schedule,
    problem: SolverProblem,
    by_key: Mapping[str, Candidate],
    intake: Intake,
    data: PlanningData,
    measurements: Mapping[str, float],
) -> PlannedItem:
    c = by_key[key]
    modality = data.catalog.modality_of(c.treatment)
    given = intake.start_date + timedelta(days=schedule.day_of(key))
    unit = "mL" if c.treatment.modality in ("ha", "caha") else modality.unit
    lo, hi = c.dose_low, c.dose_high
    if (lo, hi) == c.dose_range:
        dose_text = c.treatment.dose_text(unit, intake.sex)
    else:
        dose_text = f"{lo:g}-{hi:g} {unit}" if lo != hi else f"{lo:g} {unit}"
    flags = list(c.flags)
    if c.lip_upper_share is not None:
        dose_text += f" ({c.lip_upper_share:.0%} upper lip, {1 - c.lip_upper_share:.0%} lower)"
        # The guard's sentences at the dose finally planned (a rule may have reduced it after the guard ran).
        flags += lip_check(c, intake, measurements, data, lo, hi).sentences
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
        flags=tuple(dict.fromkeys(flags)),
        reversible=modality.reversible,
        reversal=modality.reversal,
        timeline=item_timeline(
            c.treatment, modality, given, sessions_left=max(0, c.sessions - c.session), sessions=round(hi)
        ),
        sources=tuple(dict.fromkeys((c.treatment.dose_source_for(intake.sex), c.treatment.durability_source))),
        phase=schedule.phase_of(key),
        role=c.role,
        reassess_before=_reassess(key, schedule, problem, by_key, intake),
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
    gate: SafetyGate | None = None
    evidence: Evidence | None = None


def _sex_flags(intake: Intake, assessment_sex: str | None) -> list[Flag]:
    """A high flag when the assessment was measured against the norms of another sex than the intake records."""
    if assessment_sex is None or intake.sex is None or assessment_sex == intake.sex:
        return []
    return [
        Flag(
            SEX_MISMATCH,
            "high",
            f"The assessment was measured against {assessment_sex} norms but the intake records the patient as "
            f"{intake.sex}: check the record. Norm comparisons (and the findings drawn from them) depend on it, and "
            f"the plan doses for {intake.sex}.",
        )
    ]


def shape_candidates(
    findings: Sequence[FindingInput],
    intake: Intake,
    *,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
    assessment_sex: str | None = None,
) -> Shaping:
    """Steps 1-4 of :func:`build_plan` (safety gate, candidates, contraindications, over-treatment guard).

    :mod:`facebalance.planning.edit` re-runs them on every edit of a plan, so a clinician's change meets the
    same gates as the engine's own choice.
    """
    data = data or PlanningData.default()
    check_intake(intake, data)
    ev = evidence_from(findings, intake, data.scales, data.vocabulary)
    values = {data.vocabulary.measurement(k): v for k, v in (measurements or {}).items()}
    for f in ev.findings.values():
        values.update({data.vocabulary.measurement(k): v for k, v in f.values.items()})
    values.update({data.vocabulary.measurement(k): v for k, v in intake.measurements.items()})
    gate = safety_gate(findings, intake, data)
    gate = replace(gate, flags=(*_sex_flags(intake, assessment_sex), *gate.flags))
    if gate.refused is not None:
        refused = replace(gate.refused, flags=(*_sex_flags(intake, assessment_sex), *gate.refused.flags))
        shaping = Shaping(intake, data, values, gate.screening, None, refused, gate, ev)
        return replace(shaping, refused=with_patient(refused, shaping, {}))
    shaped = _shape(ev, intake, values, data, list(gate.flags))
    return Shaping(intake, data, values, gate.screening, shaped, None, gate, ev)


def _deferral_reconsult(shaping: Shaping) -> Reconsult | None:
    """The re-consultation after the contraindications that deferred treatment (``None`` when none did)."""
    shaped = shaping.shaped
    if shaped is None or not shaped.deferred_rows:
        return None
    rows = list(dict.fromkeys(shaped.deferred_rows))
    patient = " ".join(dict.fromkeys(p for _, _, p in rows))
    return _reconsult(shaping.intake, shaping.data, [(rid, s) for rid, s, _ in rows], patient)


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
        gate=shaping.gate,
        reconsult=_deferral_reconsult(shaping),
    )
    plan = replace(
        plan,
        ledger=_ledger_rows(shaped.ledger, (), set(), data),
        toxin_cadence=patient_toxin_cadence(intake, [], data),
        overrides=(*plan.overrides, *shaped.overrides),
    )
    return with_patient(plan, shaping, {})


def build_plan(
    findings: Sequence[FindingInput],
    intake: Intake,
    *,
    measurements: Mapping[str, float] | None = None,
    data: PlanningData | None = None,
    explain: bool = True,
    assessment_sex: str | None = None,
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
    assessment_sex : {'female', 'male'}, optional
        The sex whose norms the assessment was measured against (``assessment_sex(doc)``); a plan for an
        intake of the other sex carries a high flag.

    Returns
    -------
    Plan
        ``status`` "proposed" with visits and items, or "refer", "hold", "deferred", "nothing_to_treat" with why.

    Raises
    ------
    IntakeError
        For grades off their scale, unknown areas or treatments, or an override without a written reason.
    """
    shaping = shape_candidates(findings, intake, measurements=measurements, data=data, assessment_sex=assessment_sex)
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
        (_planned_item(k, schedule, problem, by_key, intake, data, shaping.measurements) for k in schedule.selected),
        key=lambda i: (
            i.visit,
            data.rules.order_in_visit(data.catalog.modalities[i.modality].kind),
            REGION_ORDER.index(i.region),
            catalog_order[i.treatment],
            i.key,
        ),
    )
    visits = _visits(planned, schedule, by_key, intake, data)
    phases = _phases(planned, visits, data)
    pricing = _pricing(planned, visits, phases, intake, data)
    cadence = patient_toxin_cadence(intake, [by_key[k] for k in schedule.selected], data)
    omissions = sorted(omissions, key=lambda o: o.treatment)
    plan = Plan(
        status="proposed",
        start_date=intake.start_date,
        summary=summary_sentence(planned, visits, pricing, omissions, phases),
        visits=tuple(visits),
        items=tuple(planned),
        omissions=tuple(omissions),
        flags=(*shaped.flags, *_dosing_flags(planned, visits, intake, data), *extra_flags),
        referrals=tuple(shaped.referrals),
        notes=tuple(shaped.notes),
        pricing=pricing,
        maintenance=_maintenance(planned, cadence, data),
        toxin_cadence=cadence,
        ledger=_ledger_rows(shaped.ledger, planned, shaped.dissolving, data),
        screening=shaping.screening,
        overrides=(*(shaping.gate.overrides if shaping.gate is not None else ()), *shaped.overrides),
        untreated=shaping.gate.untreated if shaping.gate is not None else (),
        free_text=shaping.gate.free_text if shaping.gate is not None else {},
        reconsult=_deferral_reconsult(shaping) or _phase_reconsult(phases, data),
        phases=tuple(phases),
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
    return with_patient(plan, shaping, by_key)


def _facts(
    i: PlannedItem, by_key: Mapping[str, Candidate], plan: Plan, intake: Intake, data: PlanningData
) -> PlannedFacts:
    """What the patient section reads of one planned item and its candidate."""
    c = by_key[i.key]
    t = c.treatment
    phase_start = next((p.starts_on.isoformat() for p in plan.phases if p.index == i.phase), "")
    released = (intake.start_date + timedelta(days=c.release_day)).isoformat() if c.release_day > 0 else ""
    return PlannedFacts(
        key=i.key,
        treatment=t.id,
        modality=t.modality,
        product_class=t.product_class,
        visit=i.visit,
        phase=i.phase,
        role=i.role,
        reversible=i.reversible,
        priced=i.price is not None,
        low_dose=i.key.endswith(LOW_DOSE),
        course=t.course_text(i.dose_low, i.dose_high) if t.is_course else "",
        basis=tuple(c.basis),
        serves=tuple(c.serves),
        dissolve_area=c.area if t.id == DISSOLVE else "",
        companion_of=c.companion_of,
        companion_rule=c.rules[0] if c.companion_of else "",
        waits_for=tuple(
            (
                r.rule,
                data.wording.treatments[by_key[r.after].treatment.id if r.after in by_key else r.after].title,
                r.on.isoformat(),
            )
            for r in i.reassess_before
        ),
        released_on=released,
        phase_starts_on=phase_start,
    )


def with_patient(plan: Plan, shaping: Shaping, by_key: Mapping[str, Candidate]) -> Plan:
    """The plan with its section for the patient (every item in plain words, what is left out and why, the
    alternatives, consent points and when to come back)."""
    intake, data = shaping.intake, shaping.data
    area_label = {a.id: a.label for a in data.catalog.areas.values()}
    sources = Sources(data.wording, data.vocabulary, data.rules, data.safety, area_label)
    facts = [_facts(i, by_key, plan, intake, data) for i in plan.items if i.key in by_key]
    left_out = [LeftOut(o.treatment, o.reason, o.rule) for o in plan.omissions]
    referral_words = {r.id: r.patient for r in data.rules.referrals}
    referrals = [referral_words[r.id] for r in plan.referrals if referral_words.get(r.id)]
    words = data.wording.plan
    notices = []
    if any(f.id == "under_age" for f in plan.flags):
        notices.append(words["under_age"])
    if plan.status == "refer" and any(r.id == "bddq_as_positive" for r in plan.referrals):
        notices.append(words["screening"])
    if plan.reconsult is not None and plan.status in ("hold", "deferred"):
        notices.append(plan.reconsult.patient)
    reconsult = None if plan.reconsult is None else (plan.reconsult.on.isoformat(), plan.reconsult.patient)
    section = patient_section(
        facts,
        left_out,
        [u.patient for u in plan.untreated],
        evidence=shaping.evidence,
        sources=sources,
        visits=len(plan.visits),
        start=plan.visits[0].date.isoformat() if plan.visits else intake.start_date.isoformat(),
        referrals=referrals,
        notices=notices,
        reconsult=reconsult,
        override_gates=[o.gate for o in plan.overrides],
    )
    return replace(plan, patient=section, sign_off_words=data.wording.sign_off)


def _visits(
    planned: Sequence[PlannedItem],
    schedule: Schedule,
    by_key: Mapping[str, Candidate],
    intake: Intake,
    data: PlanningData,
) -> list[Visit]:
    """The schedule's visits: date, items, price (of the priced items), purpose and phase."""
    visits = []
    for v, day in enumerate(schedule.visit_days):
        keys = tuple(i.key for i in planned if i.visit == v)
        price = sum((i.price for i in planned if i.visit == v and i.price is not None), ZERO)
        visits.append(
            Visit(
                v,
                day,
                intake.start_date + timedelta(days=day),
                keys,
                price,
                visit_purpose(keys, by_key, data),
                schedule.visit_phases[v] if schedule.visit_phases else 0,
            )
        )
    return visits


def _phases(planned: Sequence[PlannedItem], visits: Sequence[Visit], data: PlanningData) -> list[Phase]:
    """The plan's phases (one when there is no budget): visits, items, price and when each later one starts."""
    out = []
    for index in sorted({v.phase for v in visits}):
        here = [v for v in visits if v.phase == index]
        keys = tuple(k for v in here for k in v.items)
        labels = ", ".join(dict.fromkeys(lower_first(i.label) for i in planned if i.key in keys))
        if index == 0:
            sentence = f"Phase 1, now: {labels}."
        else:
            sentence = (
                f"Phase {index + 1}, later (from {here[0].date.isoformat()}, at least "
                f"{data.rules.phases.gap_days} days "
                f"after phase {index}, once its results are judged): {labels}. Reassessed before it starts; "
                "doses and items may change."
            )
        out.append(
            Phase(index, tuple(v.index for v in here), keys, sum((v.price for v in here), ZERO), here[0].date, sentence)
        )
    return out


def _phase_reconsult(phases: Sequence[Phase], data: PlanningData) -> Reconsult | None:
    """A plan in phases: the reassessment before phase 2 is the re-consultation."""
    if len(phases) < 2:
        return None
    later = phases[1]
    return Reconsult(later.starts_on, (later.sentence,), data.wording.plan["next_phase"])


def _dosing_flags(
    planned: Sequence[PlannedItem], visits: Sequence[Visit], intake: Intake, data: PlanningData
) -> list[Flag]:
    """Toxin totals per visit against the method's typical range, and toxin dosed without a recorded sex."""
    out = []
    typical = data.rules.toxin_totals
    for v in visits:
        toxins = [i for i in planned if i.visit == v.index and i.modality == "toxin"]
        units = sum(i.dose_high for i in toxins)
        if units > typical.typical_high_units:
            parts = ", ".join(f"{lower_first(i.label)} {i.dose_high:g} U" for i in toxins)
            out.append(
                Flag(
                    "toxin_total_above_typical",
                    "caution",
                    f"Visit {v.index + 1}: up to {units:g} U of toxin ({parts}), above the "
                    f"{typical.typical_low_units}-{typical.typical_high_units} U typical of the method for one "
                    "session. "
                    "Confirm each area is needed, or spread the areas over sessions.",
                    typical.source,
                )
            )
    if intake.sex is None and any(i.modality == "toxin" for i in planned):
        out.append(
            Flag(
                "sex_not_recorded",
                "info",
                "Sex not recorded: toxin is dosed at the label doses; men usually need more (record the sex to dose "
                "by it).",
            )
        )
    return out


def _pricing(
    planned: Sequence[PlannedItem],
    visits: Sequence[Visit],
    phases: Sequence[Phase],
    intake: Intake,
    data: PlanningData,
) -> Pricing:
    rows = []
    notes = []
    clinician = []
    if intake.new_patient and "consultation_new" in data.prices.rows:
        r = data.prices.rows["consultation_new"]
        rows.append(PricingRow(None, r.label, "1 visit", PriceRange(r.low, r.high).text(), PriceRange(r.low, r.high)))
        if r.high == 0:
            notes.append("Consultation: free for new patients.")
    unpriced = []
    for i in planned:
        key = data.catalog.treatments[i.treatment].price
        row = data.prices.rows.get(key)
        if row is None:
            unpriced.append(i.label)
            rows.append(PricingRow(i.visit, i.label, i.dose_text, "price on consultation", None))
            continue
        qlo, qhi = row.quantity_billed(i.dose_low), row.quantity_billed(i.dose_high)
        quantity = f"{qlo:g}-{qhi:g} {row.per}" if qlo != qhi else f"{qlo:g} {row.per}"
        rows.append(
            PricingRow(i.visit, i.label, quantity, PriceRange(row.low, row.high).text() + f" per {row.per}", i.price)
        )
    total = sum((v.price for v in visits), ZERO)
    typical = data.prices.typical_plan
    within = typical.low <= total.low and total.high <= typical.high
    if not within:
        clinician.append(
            f"Total {total.text()} is outside the clinic's typical {typical.text()} for a full facial-balancing plan."
        )
    if unpriced:
        notes.append(
            f"Priced on consultation (not in the total): {', '.join(unpriced)}. Ask for the price before you decide."
        )
        clinician.append(
            f"No price row for {', '.join(unpriced)}: the total leaves them out and the budget could not check them."
        )
    adjuncts = [i.label for i in planned if i.role == "adjunct"]
    if adjuncts:
        notes.append(
            f"Adjuncts to the surgical opinion, priced for information: {', '.join(adjuncts)}. Confirm them after "
            "the surgical opinion, which may change or replace them."
        )
    if any(i.unit == "mL" and i.dose_low % 1 for i in planned if i.modality == "ha"):
        notes.append("HA is charged per syringe opened: part-syringe doses are billed as whole syringes.")
    if len(phases) > 1:
        notes.append(
            "The plan comes in phases within your budget: "
            + "; ".join(f"phase {p.index + 1} {p.price.text()}" for p in phases)
            + ". Later phases are confirmed, and priced again, after a reassessment."
        )
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
        clinician_notes=tuple(clinician),
        phase_totals=tuple(p.price for p in phases),
        unpriced=tuple(unpriced),
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
        if t.is_course and t.cadence_days is not None:
            sessions = round(i.dose_high)
            last = course_end(t, i.date, sessions)
            if sessions > 1:
                nxt = i.date + timedelta(days=t.cadence_days[0])
                out.append(
                    MaintenanceEntry(
                        i.treatment,
                        t.label,
                        nxt,
                        last,
                        f"The rest of the course of {lower_first(t.label)}: sessions 2-{sessions}, from "
                        f"{nxt.isoformat()}, {t.course_text(sessions, sessions).split(', ', 1)[1]}.",
                    )
                )
            start, end = add_months(last, lo), add_months(last, hi)
            out.append(
                MaintenanceEntry(
                    i.treatment,
                    t.label,
                    start,
                    end,
                    f"A maintenance session of {lower_first(t.label)} between {start.isoformat()} and "
                    f"{end.isoformat()}, if the result has faded.",
                )
            )
            continue
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
