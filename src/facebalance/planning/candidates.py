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

from facebalance.planning.catalog import Treatment
from facebalance.planning.content import PlanningData
from facebalance.planning.intake import FindingInput, Intake
from facebalance.planning.ledger import FillerLedger, area_headroom_ml, lip_guard
from facebalance.planning.plan import Flag, Omission
from facebalance.planning.pricing import PriceList, PriceRange
from facebalance.planning.rules import Condition, Evidence, PlanningRules
from facebalance.planning.safety import ContraindicationHit
from facebalance.planning.scales import Scale, validate_grades
from facebalance.planning.solver import ExclusiveSet, Link, Pair, SolverItem, SolverProblem

DISSOLVE = "hyaluronidase"
#: The rule id of the gap between the sessions of a PLLA course (``[limits] plla_session_gap_days``).
PLLA_SESSIONS = "plla_sessions"
FILLERS = ("ha", "caha", "plla")


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

    @property
    def label(self) -> str:
        if self.treatment.id == DISSOLVE:
            return f"Hyaluronidase to dissolve earlier HA in the {self.area.replace('_', ' ')}"
        if self.sessions > 1 and self.session == 0:
            return f"{self.treatment.label} ({self.sessions} sessions)"
        if self.sessions > 1:
            return f"{self.treatment.label}, session {self.session} of {self.sessions}"
        return self.treatment.label


def evidence_from(findings: Sequence[FindingInput], intake: Intake, scales: Mapping[str, Scale]) -> Evidence:
    """The evidence the rules see: the analyses' findings, the intake's own findings, validated grades."""
    by_id = {f.id: f for f in findings}
    by_id.update({f.id: f for f in intake.findings})
    return Evidence(by_id, validate_grades(intake.grades, scales), scales)


def _value(conditions: Sequence[Condition], ev: Evidence, priority: int, serves: bool, rules: PlanningRules) -> float:
    severity = max((rules.value.severity[c.severity(ev)] for c in conditions), default=1.0)
    return priority * severity * (rules.value.concern_bonus if serves else 1.0)


def propose(ev: Evidence, intake: Intake, data: PlanningData) -> tuple[dict[str, Candidate], list[Omission], list[str]]:
    """Candidates from the indication rows, then suppress and same-visit relations."""
    concerns = set(intake.concern_areas) | ({"gradual"} if intake.preferences.prefers_gradual else set())
    candidates: dict[str, Candidate] = {}
    for ind in data.rules.indications:
        hits = ind.matches(ev)
        if not hits:
            continue
        t = data.catalog.treatments[ind.treatment]
        value = _value(hits, ev, ind.priority, bool(ind.concerns & concerns), data.rules)
        lo, hi = t.total_dose
        c = candidates.setdefault(t.id, Candidate(t.id, t, t.area, 0.0, lo, hi, group=t.id))
        c.value = max(c.value, value)
        c.rules.append(ind.id)
        c.evidence.extend(h.describe(ev) for h in hits if h.describe(ev) not in c.evidence)
        c.rationale = c.rationale or ind.rationale
    omissions: list[Omission] = []
    notes: list[str] = []
    for rel in data.rules.relations:
        if rel.kind == "suppress" and rel.holds(ev):
            for tid in rel.treatments:
                if tid in candidates:
                    dropped = candidates.pop(tid)
                    omissions.append(Omission(tid, dropped.label, "suppressed", f"{dropped.label}: {rel.sentence}"))
        elif rel.kind == "note" and rel.holds(ev):
            notes.append(rel.sentence)
    for rel in data.rules.relations:
        if rel.kind == "same_visit" and rel.then in candidates and rel.first not in candidates:
            t = data.catalog.treatments[rel.first]
            lo, hi = t.total_dose
            candidates[t.id] = Candidate(
                t.id,
                t,
                t.area,
                0.0,
                lo,
                hi,
                rules=[rel.id],
                evidence=[f"given with {candidates[rel.then].label[:1].lower()}{candidates[rel.then].label[1:]}"],
                rationale=rel.sentence,
                group=t.id,
            )
    return candidates, omissions, notes


def unsupported_requests(
    intake: Intake, candidates: Mapping[str, Candidate], data: PlanningData, already: set[str]
) -> list[Omission]:
    """Requested treatments and stated concerns with no supporting finding: named, not planned."""
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
        if concern.area not in served and concern.area not in {o.treatment for o in out}:
            words = f' ("{concern.text}")' if concern.text else ""
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
    candidates: dict[str, Candidate], hits: Sequence[ContraindicationHit], flags: list[Flag]
) -> list[Omission]:
    """Defer or exclude the candidates a contraindication row hits; cautions become item and plan flags."""
    out = []
    for hit in hits:
        affected = [c for c in candidates.values() if hit.applies_to(c.treatment.modality, c.area)]
        if hit.rule.action == "caution" and affected:
            flags.append(Flag(hit.rule.id, "caution", hit.rule.sentence, hit.rule.source))
        for key, c in list(candidates.items()):
            if not hit.applies_to(c.treatment.modality, c.area):
                continue
            if hit.rule.action == "caution":
                c.flags.append(hit.rule.sentence)
                continue
            del candidates[key]
            verb = "deferred" if hit.rule.action == "defer" else "excluded"
            out.append(Omission(c.treatment.id, c.label, verb, f"{c.label}: {verb}. {hit.rule.sentence}"))
    if any(h.rule.modalities == {DISSOLVE} and h.rule.action == "exclude" for h in hits) and any(
        c.treatment.modality == "ha" for c in candidates.values()
    ):
        flags.append(
            Flag(
                "ha_without_reversal",
                "high",
                "HA filler is planned for a patient who cannot receive hyaluronidase: it could not be dissolved "
                "after a complication or an unwanted result. Discuss this before consent.",
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
            share = intake.preferences.lip_upper_share
            share = share if share is not None else c.treatment.lip_upper_share
            decision = lip_guard(
                measurements, dose_low_ml=c.dose_low, dose_high_ml=c.dose_high, upper_share=share, rules=data.rules.lips
            )
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
            c.flags.extend(decision.sentences)
    return out


def expand(
    candidates: dict[str, Candidate], data: PlanningData
) -> tuple[list[Candidate], list[Link], list[Pair], list[Pair]]:
    """PLLA courses into sessions, and reduced-dose variants for precedence rows with a dose factor."""
    items: list[Candidate] = []
    links: list[Link] = []
    requires: list[Pair] = []
    forbids: list[Pair] = []
    lo_gap, hi_gap = data.rules.limits.plla_session_gap_days
    steps = data.rules.doses
    later = data.rules.value.later_session_factor
    for c in candidates.values():
        if c.treatment.sessions > 1:
            n = c.treatment.sessions
            for s in range(1, n + 1):
                key = f"{c.key}#{s}"
                items.append(replace(c, key=key, group=key, session=s, sessions=n, value=c.value * later ** (s - 1)))
                if s > 1:
                    prev = f"{c.key}#{s - 1}"
                    links.append(Link(prev, key, lo_gap, PLLA_SESSIONS, hi_gap))
                    requires.append(Pair(key, prev, PLLA_SESSIONS))
        else:
            items.append(c)
    for rel in data.rules.relations:
        if rel.kind != "precedence" or rel.first not in candidates or rel.then not in candidates:
            continue
        first_keys = [i.key for i in items if i.treatment.id == rel.first]
        base = next(i for i in items if i.key == rel.then)
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
            items.append(variant)
            for fk in first_keys:
                requires.append(Pair(variant.key, fk, rel.id))
                forbids.append(Pair(fk, base.key, rel.id))
                links.append(Link(fk, variant.key, rel.min_gap_days, rel.id))
        else:
            for fk in first_keys:
                links.append(Link(fk, base.key, rel.min_gap_days, rel.id))
    return items, links, requires, forbids


def sequence_links(items: Sequence[Candidate], data: PlanningData) -> list[Link]:
    """The generic precedences of ``[[sequence]]`` rows between every pair of items they pick."""
    links = []
    for seq in data.rules.sequences:
        for a in items:
            ka, ra = data.catalog.modality_of(a.treatment).kind, data.catalog.region_of(a.area)
            if not seq.first.picks(a.treatment.id, ka, ra, a.area):
                continue
            for b in items:
                if a.key == b.key or a.treatment.id == b.treatment.id:
                    continue
                kb, rb = data.catalog.modality_of(b.treatment).kind, data.catalog.region_of(b.area)
                if not seq.then.picks(b.treatment.id, kb, rb, b.area):
                    continue
                if (seq.match == "area" and a.area != b.area) or (seq.match == "region" and ra != rb):
                    continue
                links.append(Link(a.key, b.key, seq.min_gap_days, seq.id))
    return links


def usage(c: Candidate, data: PlanningData) -> dict[str, int]:
    """Per-visit resource use at the high dose: HA/CaHA syringes opened, toxin units, PLLA vials."""
    return usage_of(c.treatment.modality, c.dose_high, data, price=c.treatment.price)


def usage_of(modality: str, amount: float, data: PlanningData, *, price: str = "") -> dict[str, int]:
    """The per-visit resources ``amount`` of a modality uses (in its unit: mL, U, vials). ``price`` names the
    price-list row whose increment is one CaHA syringe (the catalogue's CaHA row when not given)."""
    if modality == "ha":
        return {"syringes": math.ceil(amount - 1e-9)}
    if modality == "caha":
        row = price or next(t.price for t in data.catalog.treatments.values() if t.modality == "caha")
        return {"syringes": math.ceil(amount / data.prices.rows[row].increment - 1e-9)}
    if modality == "toxin":
        return {"toxin_units": math.ceil(amount)}
    if modality == "plla":
        return {"plla_vials": math.ceil(amount)}
    return {}


def visit_caps(data: PlanningData) -> dict[str, int]:
    """The per-visit caps by resource (``[limits]`` of rules.toml)."""
    lim = data.rules.limits
    return {
        "syringes": lim.visit_cap_syringes,
        "toxin_units": lim.visit_cap_toxin_units,
        "plla_vials": lim.visit_cap_plla_vials,
    }


def price_of(c: Candidate, prices: PriceList) -> PriceRange:
    """The item's price range (low dose at the low price to high dose at the high price)."""
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
    """A candidate as the solver sees it: value and cost (on the budget basis) in integers, usage, area volume."""
    return SolverItem(
        key=c.key,
        group=c.group,
        value=round(c.value * 100),
        cost=round(price_of(c, data.prices).on(intake.preferences.budget_basis)),
        release_day=c.release_day,
        usage=usage(c, data),
        area=c.area,
        area_ml_centi=round(c.dose_high * 100) if c.treatment.modality in ("ha", "caha") else 0,
        is_toxin=c.treatment.modality == "toxin",
    )


def solver_problem(
    candidates: dict[str, Candidate],
    intake: Intake,
    ledger: FillerLedger,
    dissolving: set[str],
    data: PlanningData,
) -> tuple[SolverProblem, dict[str, Candidate]]:
    """The candidates as a CP-SAT problem: items, every precedence and pairing, caps and the budget.

    Returns the problem and the expanded candidates (sessions, dose variants) by key.
    """
    items, links, requires, forbids = expand(candidates, data)
    by_key = {c.key: c for c in items}
    links += sequence_links(items, data)
    for c in items:
        if c.area in dissolving and c.treatment.id != DISSOLVE and c.treatment.modality in FILLERS:
            requires.append(Pair(c.key, f"{DISSOLVE}:{c.area}", "dissolve_before_refill"))
    same_visit = [
        Pair(b.key, a.key, rel.id)
        for rel in data.rules.relations
        if rel.kind == "same_visit"
        for b in items
        if b.treatment.id == rel.then
        for a in items
        if a.treatment.id == rel.first
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
    lim = data.rules.limits
    budget = intake.preferences.budget_usd
    problem = SolverProblem(
        items=tuple(solver_item(c, intake, data) for c in items),
        links=tuple(links),
        requires=tuple(requires + same_visit),
        same_visit=tuple(same_visit),
        forbids=tuple(forbids),
        exclusive=tuple(exclusive),
        max_visits=lim.max_visits_for(intake.preferences),
        min_visit_gap_days=lim.min_visit_gap_days,
        horizon_days=lim.horizon_days,
        visit_caps=visit_caps(data),
        area_caps_centi=area_caps,
        budget=None if budget is None else math.floor(budget),
        toxin_min_interval_days=lim.toxin_min_interval_days,
    )
    return problem, by_key
