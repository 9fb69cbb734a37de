"""Candidate treatments: proposed by the rule rows, then shaped by relations, safety and the guards.

Each step takes the candidates by key and returns what it removed as :class:`Omission` rows with their
sentence, so nothing disappears from the plan without a reason:

* :func:`propose` - indication rows whose evidence holds (valued by priority x severity x concern bonus),
  then ``suppress`` relations (removed, with the relation's sentence), ``note`` relations and
  ``same_visit`` companions;
* :func:`corrective` - hyaluronidase first for HA the patient dislikes;
* :func:`apply_contraindications` - defer, exclude or caution, per ``safety.toml``;
* :func:`apply_guards` - the ledger's area caps and the lip guard;
* :func:`expand` - PLLA courses into sessions, reduced-dose variants (chin before lips, less filler);
* :func:`sequence_links` - the generic precedences between the remaining items.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from facebalance.planning.catalog import Treatment
from facebalance.planning.content import PlanningData
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.ledger import FillerLedger, LipDecision, area_headroom_ml, lip_guard
from facebalance.planning.plan import Flag, Omission
from facebalance.planning.pricing import PriceList, PriceRange
from facebalance.planning.rules import Condition, Evidence, Indication, PlanningRules
from facebalance.planning.safety import ContraindicationHit
from facebalance.planning.scales import Scale, validate_grades
from facebalance.planning.solver import (
    ExclusiveSet,
    Link,
    Pair,
    RequiresAny,
    SolverItem,
    SolverProblem,
    Spacing,
)
from facebalance.planning.vocabulary import Vocabulary

DISSOLVE = "hyaluronidase"
#: How much a clinician's chosen product outranks the alternative it replaces (a tie-break, not a clinical value).
CHOICE_TIE_BREAK = 0.01
#: The override gate that lets HA be planned for a patient who cannot receive hyaluronidase.
HA_WITHOUT_HYALURONIDASE = "ha_without_hyaluronidase"
#: The rule id of the gap between the sessions of a PLLA course (``[limits] plla_session_gap_days``).
PLLA_SESSIONS = "plla_sessions"
FILLERS = ("ha", "caha", "plla")
#: The usage key of filler volume (HA and CaHA) in hundredths of a mL, for the per-visit and per-plan caps.
FILLER_CENTI_ML = "filler_centi_ml"
#: The key suffix of an item's variant at the low end of its dose range (chosen to fit a budget), and its rule.
LOW_DOSE = "@low_dose"
LOW_DOSE_RULE = "budget.low_dose"
#: The region of an area that spans the face (skin treatments): it shares every region.
WHOLE_FACE = "whole_face"


@dataclass
class Candidate:
    """A treatment the rules propose, as it moves through the guards into the solver."""

    key: str
    treatment: Treatment
    area: str
    value: float
    dose_low: float
    dose_high: float
    rules: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    rationale: str = ""
    flags: list[str] = field(default_factory=list)
    group: str = ""
    release_day: int = 0
    session: int = 0
    sessions: int = 1
    lip_upper_share: float | None = None
    #: The most of a lip dose the upper lip may take (a ``lip_share`` relation), with the relation's sentence.
    upper_share_limit: float | None = None
    upper_share_why: str = ""
    #: The catalogue's per-visit dose range for this patient (the male row for a man).
    dose_range: tuple[float, float] = (0.0, 0.0)
    #: ``treatment``, or ``adjunct`` (offered alongside a surgical opinion, which may change or replace it).
    role: str = "treatment"
    #: The lip guard's sentences at the candidate's dose (recomputed for the dose finally planned).
    lip_notes: list[str] = field(default_factory=list)
    #: The evidence behind it (the conditions of its rule rows that hold) and the patient's concerns it serves.
    basis: list[Condition] = field(default_factory=list)
    serves: list[str] = field(default_factory=list)
    #: The treatment a same-visit companion is given with.
    companion_of: str = ""

    def __post_init__(self) -> None:
        if self.dose_range == (0.0, 0.0):
            self.dose_range = self.treatment.total_dose

    @property
    def label(self) -> str:
        if self.treatment.id == DISSOLVE:
            return f"Hyaluronidase to dissolve earlier HA in the {self.area.replace('_', ' ')}"
        if self.sessions > 1 and self.session == 0:
            return f"{self.treatment.label} ({self.sessions} sessions)"
        if self.sessions > 1:
            return f"{self.treatment.label}, session {self.session} of {self.sessions}"
        return self.treatment.label


_SEVERITY_RANK = {"mild": 0, "moderate": 1, "marked": 2}


def evidence_from(
    findings: Sequence[FindingInput],
    intake: Intake,
    scales: Mapping[str, Scale],
    vocabulary: Vocabulary | None = None,
) -> Evidence:
    """The evidence the rules see: the analyses' findings, the intake's own findings, validated grades.

    Each finding is seen under the planner id it reads as (``profile_recessed_chin`` -> ``profile.recessed_chin``,
    ``data/findings.toml``); when two read as one id, the more severe is kept.
    """
    by_id: dict[str, FindingInput] = {}
    for f in (*findings, *intake.findings):
        key = vocabulary.reads_as(f.id) if vocabulary is not None else f.id
        held = by_id.get(key)
        if held is None or _SEVERITY_RANK[f.severity] >= _SEVERITY_RANK[held.severity]:
            by_id[key] = f
    return Evidence(by_id, validate_grades(intake.grades, scales), scales, frozenset(intake.concern_areas))


def _value(conditions: Sequence[Condition], ev: Evidence, priority: int, serves: bool, rules: PlanningRules) -> float:
    severity = max((rules.value.severity[c.severity(ev)] for c in conditions), default=1.0)
    return priority * severity * (rules.value.concern_bonus if serves else 1.0)


def new_candidate(t: Treatment, intake: Intake, **fields: Any) -> Candidate:
    """A candidate at the catalogue's dose range for this patient (the male row for a man)."""
    lo, hi = t.total_dose_for(intake.sex)
    return Candidate(t.id, t, t.area, 0.0, lo, hi, group=t.id, dose_range=(lo, hi), **fields)


def _withheld(ind: Indication, intake: Intake, data: PlanningData) -> Omission | None:
    """Why a row that needs a clinician's choice (a non-reversible product) proposes nothing without it."""
    override = intake.overrides.get(ind.needs_override) if ind.needs_override else None
    if not ind.needs_override or (override is not None and override.treatment == ind.treatment):
        return None
    t = data.catalog.treatments[ind.treatment]
    return Omission(t.id, t.label, "prefer_reversible", f"{t.label}: not proposed. {ind.withheld}", ind.id)


def propose(ev: Evidence, intake: Intake, data: PlanningData) -> tuple[dict[str, Candidate], list[Omission], list[str]]:
    """Candidates from the indication rows, then suppress and same-visit relations.

    A row whose evidence holds but whose ``unless_any`` also holds says why it proposes nothing (severe laxity:
    jawline filler is not the answer); a row that needs a clinician's choice (a non-reversible product) proposes
    only with the override naming it, and then outranks the reversible alternatives it lists.
    """
    concerns = set(intake.concern_areas) | ({"gradual"} if intake.preferences.prefers_gradual else set())
    candidates: dict[str, Candidate] = {}
    omissions: list[Omission] = []
    for ind in data.rules.indications:
        hits = ind.matches(ev)
        t = data.catalog.treatments[ind.treatment]
        if not hits:
            blocked = ind.blocked_by(ev)
            if blocked and ind.unless_sentence:
                sentence = (
                    f"{t.label}: not proposed. {ind.unless_sentence} ({'; '.join(b.describe(ev) for b in blocked)})"
                )
                omissions.append(Omission(t.id, t.label, "suppressed", sentence, ind.id))
            continue
        withheld = _withheld(ind, intake, data)
        if withheld is not None:
            omissions.append(withheld)
            continue
        value = _value(hits, ev, ind.priority, bool(ind.concerns & concerns), data.rules)
        c = candidates.setdefault(t.id, new_candidate(t, intake))
        c.value = max(c.value, value)
        c.rules.append(ind.id)
        c.evidence.extend(h.describe(ev) for h in hits if h.describe(ev) not in c.evidence)
        c.basis.extend(h for h in hits if h not in c.basis)
        c.serves.extend(a for a in sorted(ind.concerns & set(intake.concern_areas)) if a not in c.serves)
        c.rationale = c.rationale or ind.rationale
        if ind.needs_override:
            o = intake.overrides[ind.needs_override]
            c.flags.append(f"Chosen by {o.clinician.strip()} although it cannot be dissolved: {o.reason.strip()}")
    for ind in data.rules.indications:
        if ind.treatment in candidates and ind.needs_override:
            # The clinician's choice outranks the reversible alternatives it replaces (they stay candidates, so the
            # clinician can change back by an edit; one product per area is an exclusive rule).
            chosen = candidates[ind.treatment]
            replaced = [candidates[t].value for t in ind.replaces if t in candidates]
            chosen.value = max([chosen.value, *(v + CHOICE_TIE_BREAK for v in replaced)])
    omissions = [o for o in omissions if o.treatment not in candidates]
    notes: list[str] = []
    for rel in data.rules.relations:
        if rel.kind == "suppress" and rel.holds(ev):
            for tid in rel.treatments:
                if tid in candidates:
                    dropped = candidates.pop(tid)
                    omissions.append(
                        Omission(tid, dropped.label, "suppressed", f"{dropped.label}: {rel.sentence}", rel.id)
                    )
        elif rel.kind == "note" and rel.holds(ev):
            notes.append(rel.sentence)
        elif rel.kind == "lip_share" and rel.when_any and rel.holds(ev):
            for c in candidates.values():
                if c.treatment.lip_upper_share is not None:
                    c.upper_share_limit = min(rel.upper_share, c.upper_share_limit or 1.0)
                    c.upper_share_why = rel.sentence
    for rel in data.rules.relations:
        if rel.kind == "same_visit" and rel.then in candidates and rel.first not in candidates:
            t = data.catalog.treatments[rel.first]
            candidates[t.id] = new_candidate(
                t,
                intake,
                rules=[rel.id],
                evidence=[f"given with {lower(candidates[rel.then].label)}"],
                rationale=rel.sentence,
                companion_of=rel.then,
            )
    return candidates, list({o.treatment: o for o in omissions}.values()), notes


def lower(text: str) -> str:
    """The text with its first letter in lower case (an acronym stays as it is)."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def unsupported_requests(
    intake: Intake, candidates: Mapping[str, Candidate], data: PlanningData, omitted: Sequence[Omission]
) -> list[Omission]:
    """Requested treatments and stated concerns with no supporting finding: named, not planned.

    A concern whose treatment a rule left out (suppressed, withheld) is answered with that reason, not with
    "no supporting finding".
    """
    already = {o.treatment: o for o in omitted}
    out = []
    for tid in intake.requested_treatments:
        if tid in candidates or tid in already:
            continue
        t = data.catalog.treatments.get(tid)
        label = t.label if t else tid
        rows = [r for r in data.rules.indications if r.treatment == tid]
        needs = "; ".join(c.requirement() for r in rows for c in (*r.when_all, *r.when_any)) or "a catalogue indication"
        out.append(
            Omission(
                tid,
                label,
                "no_finding",
                f"{label}: requested, but no finding or grade supports it (needs one of: {needs}). "
                "Nothing is planned without a supporting finding.",
            )
        )
    served = {a for c in candidates.values() for r in data.rules.indications if r.id in c.rules for a in r.concerns}
    for concern in intake.concerns:
        if concern.area in served or concern.area in {o.treatment for o in out}:
            continue
        words = f' ("{concern.text}")' if concern.text else ""
        left = [
            already[r.treatment]
            for r in data.rules.indications
            if concern.area in r.concerns and r.treatment in already and already[r.treatment].reason != "no_finding"
        ]
        if left:
            out.append(
                Omission(
                    f"concern:{concern.area}",
                    f"Concern: {concern.area.replace('_', ' ')}",
                    left[0].reason,
                    f"The patient's concern about the {concern.area.replace('_', ' ')}{words}: " + left[0].sentence,
                    left[0].rule,
                )
            )
        else:
            out.append(
                Omission(
                    f"concern:{concern.area}",
                    f"Concern: {concern.area.replace('_', ' ')}",
                    "no_finding",
                    f"The patient's concern about the {concern.area.replace('_', ' ')}{words} has no supporting "
                    "finding or grade: discuss it, and re-grade if the examination differs.",
                )
            )
    return out


def corrective(intake: Intake, candidates: dict[str, Candidate], data: PlanningData, flags: list[Flag]) -> set[str]:
    """Dissolve-first items for HA the patient dislikes; returns the areas being dissolved."""
    areas: dict[str, list[str]] = {}
    for t in intake.history:
        if not t.disliked:
            continue
        where = f"{t.amount:g} mL {t.product or t.modality} on {t.date.isoformat()}" + (
            f" at {t.clinic}" if t.clinic else ""
        )
        if t.modality == "ha":
            areas.setdefault(t.area, []).append(where)
        else:
            flags.append(
                Flag(
                    f"not_dissolvable:{t.area}",
                    "high",
                    f"The patient dislikes {t.modality.upper()} in the {t.area} ({where}); it cannot be dissolved "
                    "with hyaluronidase. Refer to an injector or surgeon experienced in managing it.",
                    data.catalog.modalities[t.modality].reversal_source,
                )
            )
    dissolve = data.catalog.treatments[DISSOLVE]
    for area, whats in sorted(areas.items()):
        key = f"{DISSOLVE}:{area}"
        corrective = data.rules.corrective
        value = corrective.priority * data.rules.value.severity[corrective.severity]
        candidates[key] = Candidate(
            key,
            dissolve,
            area,
            value,
            dissolve.dose_low,
            dissolve.dose_high,
            rules=["corrective.dissolve_first"],
            evidence=[f"the patient dislikes earlier filler: {w}" for w in whats],
            rationale="Filler the patient dislikes is dissolved first; the area is reassessed once it has settled "
            "before anything is added back.",
            group=key,
        )
        for c in candidates.values():
            if c.area == area and c.treatment.modality in FILLERS:
                c.rules.append("dissolve_before_refill")
                c.evidence.append(f"refill only after the old filler in the {area} is dissolved and reassessed")
    return set(areas)


def apply_contraindications(
    candidates: dict[str, Candidate],
    hits: Sequence[ContraindicationHit],
    flags: list[Flag],
    intake: Intake,
    data: PlanningData,
) -> list[Omission]:
    """Defer or exclude the candidates a contraindication row hits; cautions become item and plan flags.

    HA for a patient who cannot receive hyaluronidase could not be dissolved after a complication: it is
    planned only when a clinician overrides that gate with a reason (``overrides.ha_without_hyaluronidase``).
    """
    out = []
    for hit in hits:

        def acts_on(c: Candidate, hit: ContraindicationHit = hit) -> bool:
            whole = data.catalog.region_of(c.area) == WHOLE_FACE
            return hit.applies_to(c.treatment.modality, c.area, whole_face=whole)

        affected = [c for c in candidates.values() if acts_on(c)]
        if hit.rule.action == "caution" and affected:
            flags.append(Flag(hit.rule.id, "caution", hit.rule.sentence, hit.rule.source))
        for key, c in list(candidates.items()):
            if not acts_on(c):
                continue
            if hit.rule.action == "caution":
                c.flags.append(hit.rule.sentence)
                continue
            del candidates[key]
            verb = "deferred" if hit.rule.action == "defer" else "excluded"
            out.append(Omission(c.treatment.id, c.label, verb, f"{c.label}: {verb}. {hit.rule.sentence}", hit.rule.id))
    no_reversal = any(h.rule.modalities == {DISSOLVE} and h.rule.action == "exclude" for h in hits)
    ha = [k for k, c in candidates.items() if c.treatment.modality == "ha"]
    if not no_reversal or not ha:
        return out
    override = intake.overrides.get(HA_WITHOUT_HYALURONIDASE)
    if override is None:
        for key in ha:
            c = candidates.pop(key)
            out.append(
                Omission(
                    c.treatment.id,
                    c.label,
                    "needs_override",
                    f"{c.label}: not planned without a clinician's decision. This patient cannot receive "
                    "hyaluronidase, so HA could not be dissolved after a vascular complication or an unwanted "
                    "result. A clinician may plan it after discussing this, with the reason written "
                    f"(overrides.{HA_WITHOUT_HYALURONIDASE}).",
                )
            )
        return out
    flags.append(
        Flag(
            "ha_without_reversal",
            "high",
            "HA filler is planned for a patient who cannot receive hyaluronidase: it could not be dissolved after a "
            f"complication or an unwanted result. Decided by {override.clinician.strip()}: {override.reason.strip()}",
        )
    )
    return out


@dataclass(frozen=True)
class AreaLimit:
    """How much filler one visit may put in a candidate's area: the per-visit cap and what the cumulative cap
    leaves after the earlier filler that may still be present (``inf`` when the area has neither cap)."""

    ceiling_ml: float
    present_ml: float
    headroom_ml: float | None


def area_limit(c: Candidate, ledger: FillerLedger, dissolving: set[str], data: PlanningData) -> AreaLimit:
    """The area limit of a filler candidate (earlier HA does not count in an area the plan dissolves first)."""
    return area_limit_of(c.area, ledger, dissolving, data)


def area_limit_of(area_id: str, ledger: FillerLedger, dissolving: set[str], data: PlanningData) -> AreaLimit:
    """The area limit of one catalogue area (the planner's candidates and a charted treatment alike)."""
    area = data.catalog.areas[area_id]
    headroom = area_headroom_ml(area, ledger, dissolving=area_id in dissolving)
    present = 0.0 if area_id in dissolving else ledger.present_ml(area_id)
    ceiling = min((x for x in (headroom, area.visit_cap_ml) if x is not None), default=math.inf)
    return AreaLimit(ceiling, present, headroom)


def lip_check(
    c: Candidate, intake: Intake, measurements: Mapping[str, float], data: PlanningData, low: float, high: float
) -> LipDecision:
    """The lip guard on a lip filler at a dose: the share the patient, the catalogue or a ``lip_share`` rule
    asks for, checked against the E-line and the upper:lower ratio."""
    share = intake.preferences.lip_upper_share
    share = share if share is not None else (c.treatment.lip_upper_share or 0.0)
    if c.upper_share_limit is not None:
        share = min(share, c.upper_share_limit)
    return lip_guard(measurements, dose_low_ml=low, dose_high_ml=high, upper_share=share, rules=data.rules.lips)


def apply_guards(
    candidates: dict[str, Candidate],
    intake: Intake,
    measurements: Mapping[str, float],
    ledger: FillerLedger,
    dissolving: set[str],
    data: PlanningData,
) -> list[Omission]:
    """Area caps (after the ledger) and the lip guard: trim each filler dose, or drop it with the reason."""
    out = []
    for key, c in list(candidates.items()):
        if c.treatment.modality not in ("ha", "caha"):
            continue
        area = data.catalog.areas[c.area]
        limit = area_limit(c, ledger, dissolving, data)
        headroom, present = limit.headroom_ml, limit.present_ml
        ceiling = min(c.dose_high, limit.ceiling_ml)
        if ceiling < c.dose_low:
            del candidates[key]
            out.append(
                Omission(
                    c.treatment.id,
                    c.label,
                    "cap",
                    f"{c.label}: over-treatment guard. {present:g} mL of earlier filler may still be in the "
                    f"{area.label} (HA persists for years after its label duration); with the "
                    f"{area.cumulative_cap_ml or 0:g} mL cap only {headroom or 0:g} mL remains, below the "
                    f"{c.dose_low:g} mL minimum dose.",
                )
            )
            continue
        if ceiling < c.dose_high:
            c.flags.append(
                f"Dose limited to {ceiling:g} mL by the {area.label} cap ({present:g} mL of earlier filler may "
                "still be present)."
            )
            c.dose_high = ceiling
        if c.treatment.lip_upper_share is not None:
            if c.upper_share_limit is not None:
                c.flags.append(c.upper_share_why)
            decision = lip_check(c, intake, measurements, data, c.dose_low, c.dose_high)
            if decision.dose_high_ml is None:
                del candidates[key]
                out.append(
                    Omission(
                        c.treatment.id,
                        c.label,
                        "over_projection",
                        f"{c.label}: over-treatment guard. " + " ".join(decision.sentences),
                    )
                )
                continue
            c.dose_high = decision.dose_high_ml
            c.lip_upper_share = decision.upper_share
            c.lip_notes = list(decision.sentences)
    return out


@dataclass
class Expanded:
    """The candidates as the solver's items (sessions, dose variants) with every rule between them."""

    items: list[Candidate]
    links: list[Link] = field(default_factory=list)
    requires: list[Pair] = field(default_factory=list)
    forbids: list[Pair] = field(default_factory=list)
    requires_any: list[RequiresAny] = field(default_factory=list)
    spacing: list[Spacing] = field(default_factory=list)


def _gap(rule_gap: int, wait_for_result: bool, first: Candidate, data: PlanningData) -> int:
    """A sequencing gap: the rule's, or, for a rule that waits for the result, at least the time the first
    item's result takes to show (its modality's ``visible_days``: 90 days after a PLLA session)."""
    return max(rule_gap, data.catalog.modality_of(first.treatment).visible_days) if wait_for_result else rule_gap


def expand(candidates: dict[str, Candidate], data: PlanningData) -> Expanded:
    """PLLA courses into sessions, and reduced-dose variants for precedence rows with a dose factor."""
    out = Expanded([])
    lo_gap, hi_gap = data.rules.limits.plla_session_gap_days
    steps = data.rules.doses
    later = data.rules.value.later_session_factor
    for c in candidates.values():
        if c.treatment.sessions > 1:
            n = c.treatment.sessions
            for s in range(1, n + 1):
                key = f"{c.key}#{s}"
                out.items.append(
                    replace(c, key=key, group=key, session=s, sessions=n, value=c.value * later ** (s - 1))
                )
                if s > 1:
                    prev = f"{c.key}#{s - 1}"
                    out.links.append(Link(prev, key, lo_gap, PLLA_SESSIONS, hi_gap))
                    out.requires.append(Pair(key, prev, PLLA_SESSIONS))
        else:
            out.items.append(c)
    for rel in data.rules.relations:
        if rel.kind != "precedence" or rel.first not in candidates or rel.then not in candidates:
            continue
        firsts = [i for i in out.items if i.treatment.id == rel.first]
        base = next(i for i in out.items if i.key == rel.then)
        if rel.requires_first:
            out.requires_any.append(RequiresAny(base.key, tuple(f.key for f in firsts), rel.id))
        if rel.then_dose_factor < 1.0:
            low = max(steps.step_ml, steps.round_ml(base.dose_low * rel.then_dose_factor))
            variant = replace(
                base,
                key=f"{base.key}@after_{rel.first}",
                dose_low=low,
                dose_high=max(low, steps.round_ml(base.dose_high * rel.then_dose_factor)),
                rules=[*base.rules, rel.id],
                flags=[*base.flags, rel.sentence],
            )
            out.items.append(variant)
            for f in firsts:
                out.requires.append(Pair(variant.key, f.key, rel.id))
                out.forbids.append(Pair(f.key, base.key, rel.id))
                out.links.append(Link(f.key, variant.key, _gap(rel.min_gap_days, rel.wait_for_result, f, data), rel.id))
        else:
            for f in firsts:
                out.links.append(Link(f.key, base.key, _gap(rel.min_gap_days, rel.wait_for_result, f, data), rel.id))
    return out


def _same_place(match: str, a: Candidate, b: Candidate, data: PlanningData) -> bool:
    """Whether two items share what a sequencing rule matches on (``area``, ``region`` or nothing); a
    whole-face item shares every region."""
    if match == "area":
        return a.area == b.area
    if match == "region":
        ra, rb = data.catalog.region_of(a.area), data.catalog.region_of(b.area)
        return ra == rb or WHOLE_FACE in (ra, rb)
    return True


def sequence_links(
    items: Sequence[Candidate], data: PlanningData
) -> tuple[list[Link], list[RequiresAny], list[Spacing]]:
    """The generic precedences of ``[[sequence]]`` rows between every pair of items they pick, for a
    structural row (``requires_first``) the earlier items each later item is planned only with, and for an
    ``either_order`` row the pairs kept apart in either order."""
    links = []
    needs = []
    spacing = []
    for seq in data.rules.sequences:
        firsts: dict[str, list[str]] = {}
        for a in items:
            ka, ra = data.catalog.modality_of(a.treatment).kind, data.catalog.region_of(a.area)
            if not seq.first.picks(a.treatment.id, ka, ra, a.area):
                continue
            for b in items:
                if a.key == b.key or a.treatment.id == b.treatment.id:
                    continue
                kb, rb = data.catalog.modality_of(b.treatment).kind, data.catalog.region_of(b.area)
                if not seq.then.picks(b.treatment.id, kb, rb, b.area) or not _same_place(seq.match, a, b, data):
                    continue
                if seq.either_order:
                    spacing.append(Spacing(a.key, b.key, seq.min_gap_days, seq.id))
                    continue
                links.append(Link(a.key, b.key, _gap(seq.min_gap_days, seq.wait_for_result, a, data), seq.id))
                firsts.setdefault(b.key, []).append(a.key)
        if seq.requires_first:
            needs += [RequiresAny(b, tuple(a), seq.id) for b, a in firsts.items()]
    return links, needs, spacing


def usage(c: Candidate, data: PlanningData) -> dict[str, int]:
    """Per-visit resource use at the high dose: HA/CaHA syringes opened and filler volume (hundredths of a mL),
    toxin units, PLLA vials."""
    return usage_of(c.treatment.modality, c.dose_high, data, price=c.treatment.price)


def usage_of(modality: str, amount: float, data: PlanningData, *, price: str = "") -> dict[str, int]:
    """The per-visit resources ``amount`` of a modality uses (in its unit: mL, U, vials). ``price`` names the
    price-list row whose increment is one CaHA syringe (the catalogue's CaHA row when not given)."""
    if modality == "ha":
        return {"syringes": math.ceil(amount - 1e-9), FILLER_CENTI_ML: round(amount * 100)}
    if modality == "caha":
        row = price or next(t.price for t in data.catalog.treatments.values() if t.modality == "caha")
        increment = data.prices.rows[row].increment if row in data.prices.rows else 1.5
        return {"syringes": math.ceil(amount / increment - 1e-9), FILLER_CENTI_ML: round(amount * 100)}
    if modality == "toxin":
        return {"toxin_units": math.ceil(amount - 1e-9)}
    if modality == "plla":
        return {"plla_vials": math.ceil(amount - 1e-9)}
    return {}


def visit_caps(data: PlanningData) -> dict[str, int]:
    """The per-visit caps by resource (``[limits]`` and ``[volume]`` of rules.toml)."""
    lim, volume = data.rules.limits, data.rules.volume
    return {
        "syringes": lim.visit_cap_syringes,
        FILLER_CENTI_ML: round(volume.visit_cap_filler_ml * 100),
        "toxin_units": lim.visit_cap_toxin_units,
        "plla_vials": lim.visit_cap_plla_vials,
    }


def price_of(c: Candidate, prices: PriceList) -> PriceRange | None:
    """The item's price range (low dose at the low price to high dose at the high price); ``None`` when the
    price list has no row for it (an optional service priced on consultation)."""
    if c.treatment.price not in prices.rows:
        return None
    return prices.item_price(c.treatment.price, c.dose_low, c.dose_high)


def block_undissolvable(candidates: dict[str, Candidate], dissolving: set[str]) -> list[Omission]:
    """Drop filler planned on top of disliked filler that cannot be dissolved (no hyaluronidase candidate)."""
    out = []
    for key, c in list(candidates.items()):
        if c.area in dissolving and f"{DISSOLVE}:{c.area}" not in candidates and c.treatment.modality in FILLERS:
            # Filler on top of filler the patient dislikes and that cannot be dissolved would compound it.
            del candidates[key]
            out.append(
                Omission(
                    c.treatment.id,
                    c.label,
                    "excluded",
                    f"{c.label}: not added on top of the filler the patient dislikes in the "
                    f"{c.area.replace('_', ' ')}, which cannot be dissolved for this patient.",
                )
            )
    return out


def solver_item(c: Candidate, intake: Intake, data: PlanningData) -> SolverItem:
    """A candidate as the solver sees it: value and cost (on the budget basis) in integers, usage, area volume.

    An item priced on consultation costs 0 here (it cannot be checked against the budget; the plan says so)."""
    price = price_of(c, data.prices)
    return SolverItem(
        key=c.key,
        group=c.group,
        value=round(c.value * 100),
        cost=0 if price is None else round(price.on(intake.preferences.budget_basis)),
        release_day=c.release_day,
        usage=usage(c, data),
        area=c.area,
        area_ml_centi=round(c.dose_high * 100) if c.treatment.modality in ("ha", "caha") else 0,
        is_toxin=c.treatment.modality == "toxin",
    )


def _low_dose_variants(ex: Expanded, intake: Intake, data: PlanningData) -> Expanded:
    """Under a budget: each item whose low dose costs less gets a variant at the low end of its catalogue range
    (the same group, so one of the two is planned), with every rule of the item; the solver may choose it to fit
    the budget."""
    factor = data.rules.phases.low_dose_value_factor
    basis = intake.preferences.budget_basis
    twins: dict[str, str] = {}
    added = []
    for c in ex.items:
        if c.treatment.id == DISSOLVE or c.dose_low >= c.dose_high:
            continue
        full, lowered = price_of(c, data.prices), replace(c, dose_high=c.dose_low)
        cheaper = price_of(lowered, data.prices)
        if full is None or cheaper is None or cheaper.on(basis) >= full.on(basis):
            continue
        unit = "mL" if c.treatment.modality in ("ha", "caha") else data.catalog.modality_of(c.treatment).unit
        twin = replace(
            lowered,
            key=f"{c.key}{LOW_DOSE}",
            value=c.value * factor,
            rules=[*c.rules, LOW_DOSE_RULE],
            flags=[
                *c.flags,
                f"Dose at the low end of its range ({c.dose_low:g} {unit}) to fit the budget; more can be added at "
                "the review if wanted and affordable.",
            ],
        )
        twins[c.key] = twin.key
        added.append(twin)

    def alts(key: str) -> list[str]:
        return [key, twins[key]] if key in twins else [key]

    return Expanded(
        ex.items + added,
        [replace(k, before=a, after=b) for k in ex.links for a in alts(k.before) for b in alts(k.after)],
        [replace(p, a=a) for p in ex.requires for a in alts(p.a)],
        [replace(p, a=a, b=b) for p in ex.forbids for a in alts(p.a) for b in alts(p.b)],
        [
            replace(r, a=a, options=tuple(o for k in r.options for o in alts(k)))
            for r in ex.requires_any
            for a in alts(r.a)
        ],
        [replace(sp, a=a, b=b) for sp in ex.spacing for a in alts(sp.a) for b in alts(sp.b)],
    )


def solver_problem(
    candidates: dict[str, Candidate],
    intake: Intake,
    ledger: FillerLedger,
    dissolving: set[str],
    data: PlanningData,
) -> tuple[SolverProblem, dict[str, Candidate]]:
    """The candidates as a CP-SAT problem: items, every precedence and pairing, caps, the budget and, under a
    budget, the phases and the low-dose variants.

    Returns the problem and the expanded candidates (sessions, dose variants) by key.
    """
    ex = expand(candidates, data)
    links, needs, spacing = sequence_links(ex.items, data)
    ex.links += links
    ex.requires_any += needs
    ex.spacing += spacing
    for c in ex.items:
        if c.area in dissolving and c.treatment.id != DISSOLVE and c.treatment.modality in FILLERS:
            ex.requires.append(Pair(c.key, f"{DISSOLVE}:{c.area}", "dissolve_before_refill"))
    budget = intake.preferences.budget_usd
    if budget is not None:
        ex = _low_dose_variants(ex, intake, data)
    items = ex.items
    by_key = {c.key: c for c in items}
    same_visit = [
        Pair(b.key, a.key, rel.id)
        for rel in data.rules.relations
        if rel.kind == "same_visit"
        for b in items
        if b.treatment.id == rel.then
        for a in items
        if a.treatment.id == rel.first and a.key == a.group
    ]
    exclusive = []
    for rel in data.rules.relations:
        if rel.kind == "exclusive":
            keys = tuple(c.key for c in items if c.treatment.id in rel.treatments and c.session <= 1)
            if len({by_key[k].treatment.id for k in keys}) > 1:
                exclusive.append(ExclusiveSet(keys, rel.id))
    area_caps = {}
    for area_id in sorted({c.area for c in items if c.treatment.modality in ("ha", "caha")}):
        head = area_headroom_ml(data.catalog.areas[area_id], ledger, dissolving=area_id in dissolving)
        if head is not None:
            area_caps[area_id] = round(head * 100)
    lim, volume, phases = data.rules.limits, data.rules.volume, data.rules.phases
    problem = SolverProblem(
        items=tuple(solver_item(c, intake, data) for c in items),
        links=tuple(ex.links),
        requires=tuple(ex.requires + same_visit),
        same_visit=tuple(same_visit),
        forbids=tuple(ex.forbids),
        exclusive=tuple(exclusive),
        max_visits=lim.max_visits_for(intake.preferences),
        min_visit_gap_days=lim.min_visit_gap_days,
        horizon_days=lim.horizon_days,
        visit_caps=visit_caps(data),
        area_caps_centi=area_caps,
        budget=None if budget is None else math.floor(budget),
        toxin_min_interval_days=lim.toxin_min_interval_days,
        requires_any=tuple(ex.requires_any),
        plan_caps={FILLER_CENTI_ML: round(volume.plan_cap_filler_ml * 100)},
        phases=1 if budget is None else phases.max_phases,
        phase_gap_days=phases.gap_days,
        spacing=tuple(ex.spacing),
    )
    return problem, by_key
