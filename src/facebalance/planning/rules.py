"""Planning rules as data rows (``data/rules.toml``) and the evidence they match.

Each :class:`Indication` row maps evidence (findings, clinician grades) to one candidate treatment and
carries the rationale the written plan shows; :class:`Relation` rows encode how zones relate (chin
before lips, masseter toxin rather than jaw filler, forehead toxin only with the glabella);
:class:`Sequence` rows are the generic precedences (dissolve before refill, toxin before filler in a
region, midface before lower face). Matching is pure: :meth:`Condition.holds` on an :class:`Evidence`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from facebalance.planning.datafiles import packaged_toml, source_of
from facebalance.planning.errors import ClinicalDataError
from facebalance.planning.intake import FindingInput, Preferences, Severity
from facebalance.planning.scales import Scale

RelationKind = Literal["precedence", "suppress", "same_visit", "exclusive", "note", "lip_share"]
_SEVERITY_ORDER: tuple[Severity, ...] = ("mild", "moderate", "marked")


@dataclass(frozen=True)
class Evidence:
    """What the rules can see: confirmed findings by planner id, clinician grades by scale id, and the
    patient's concern tags."""

    findings: Mapping[str, FindingInput]
    grades: Mapping[str, int]
    scales: Mapping[str, Scale]
    concerns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Condition:
    """One piece of evidence a rule asks for: a finding id, a grade at least / at most a value, or a concern
    the patient stated (for the optional services, which serve a concern rather than correct a finding).

    Examples
    --------
    >>> ev = Evidence({}, {"chin_retrusion": 3}, {}, frozenset({"redness"}))
    >>> Condition(grade="chin_retrusion", at_least=2).holds(ev), Condition(finding="x").holds(ev)
    (True, False)
    >>> Condition(grade="chin_retrusion", at_least=2).severity(ev), Condition(concern="redness").holds(ev)
    ('moderate', True)
    """

    finding: str | None = None
    grade: str | None = None
    at_least: int | None = None
    at_most: int | None = None
    concern: str | None = None

    def holds(self, ev: Evidence) -> bool:
        if self.finding is not None:
            return self.finding in ev.findings
        if self.concern is not None:
            return self.concern in ev.concerns
        value = ev.grades.get(self.grade or "")
        if value is None:
            return False
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)

    def severity(self, ev: Evidence) -> Severity:
        """How far past the rule's threshold the evidence is: at it = mild, one grade on = moderate, more = marked."""
        if self.finding is not None:
            return ev.findings[self.finding].severity
        if self.concern is not None:
            return "mild"
        value = ev.grades[self.grade or ""]
        past = value - self.at_least if self.at_least is not None else (self.at_most or 0) - value
        return _SEVERITY_ORDER[max(0, min(2, past))]

    def describe(self, ev: Evidence) -> str:
        """The evidence in words: ``'chin retrusion grade 3 of 0-4 (severe)'`` or ``'finding X (moderate)'``."""
        if self.finding is not None:
            f = ev.findings[self.finding]
            return f"{f.source} finding {f.id} ({f.severity})"
        if self.concern is not None:
            return f"the patient's concern: {self.concern.replace('_', ' ')}"
        scale = ev.scales.get(self.grade or "")
        value = ev.grades[self.grade or ""]
        return scale.describe(value) if scale is not None else f"{self.grade} grade {value}"

    def requirement(self) -> str:
        """What the condition asks for, whether or not it holds (for 'no supporting finding' sentences)."""
        if self.finding is not None:
            return f"finding {self.finding}"
        if self.concern is not None:
            return f"concern {self.concern}"
        bound = f">= {self.at_least}" if self.at_least is not None else f"<= {self.at_most}"
        return f"{self.grade} {bound}"


def conditions_of(rows: list[dict[str, Any]] | None, where: str) -> tuple[Condition, ...]:
    """Conditions from their TOML form (``{finding}``, ``{grade, at_least|at_most}`` or ``{concern}``)."""
    out = []
    for row in rows or []:
        if sum(k in row for k in ("finding", "grade", "concern")) != 1:
            raise ClinicalDataError(f"{where}: a condition names one finding, grade or concern: {row}.")
        if "grade" in row and ("at_least" in row) == ("at_most" in row):
            raise ClinicalDataError(f"{where}: a grade condition needs at_least or at_most: {row}.")
        out.append(
            Condition(row.get("finding"), row.get("grade"), row.get("at_least"), row.get("at_most"), row.get("concern"))
        )
    return tuple(out)


@dataclass(frozen=True)
class Indication:
    """Evidence -> one candidate treatment, with its clinical priority and the why the plan shows."""

    id: str
    treatment: str
    priority: int
    when_any: tuple[Condition, ...]
    when_all: tuple[Condition, ...]
    unless_any: tuple[Condition, ...]
    concerns: frozenset[str]
    rationale: str
    source: str
    unless_sentence: str = ""
    unless_patient: str = ""
    needs_override: str = ""
    withheld: str = ""
    replaces: tuple[str, ...] = ()

    def blocked_by(self, ev: Evidence) -> tuple[Condition, ...]:
        """The ``unless_any`` conditions that stop the row although its own evidence holds (``()`` otherwise)."""
        blocking = tuple(c for c in self.unless_any if c.holds(ev))
        if not blocking or (self.when_all and not all(c.holds(ev) for c in self.when_all)):
            return ()
        if self.when_any and not any(c.holds(ev) for c in self.when_any):
            return ()
        return blocking

    def matches(self, ev: Evidence) -> tuple[Condition, ...]:
        """The conditions that support the treatment, or ``()`` when the rule does not fire."""
        if any(c.holds(ev) for c in self.unless_any):
            return ()
        if self.when_all and not all(c.holds(ev) for c in self.when_all):
            return ()
        hits = tuple(c for c in self.when_any if c.holds(ev))
        if self.when_any and not hits:
            return ()
        return self.when_all + hits


@dataclass(frozen=True)
class Relation:
    """A relation between zones; see the kinds in ``data/rules.toml``."""

    id: str
    kind: RelationKind
    sentence: str
    source: str
    first: str = ""
    then: str = ""
    min_gap_days: int = 0
    then_dose_factor: float = 1.0
    treatments: tuple[str, ...] = ()
    when_any: tuple[Condition, ...] = ()
    upper_share: float = 1.0
    requires_first: bool = False
    wait_for_result: bool = False
    patient: str = ""

    def holds(self, ev: Evidence) -> bool:
        return not self.when_any or any(c.holds(ev) for c in self.when_any)


@dataclass(frozen=True)
class Selector:
    """Which treatments a sequencing rule applies to: one treatment id, or kinds/regions/areas."""

    treatment: str = ""
    kinds: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()

    def picks(self, treatment: str, kind: str, region: str, area: str) -> bool:
        if self.treatment:
            return treatment == self.treatment
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.regions or region in self.regions)
            and (not self.areas or area in self.areas)
        )


@dataclass(frozen=True)
class Sequence:
    """A generic precedence: items picked by ``first`` come at least ``min_gap_days`` before ``then``'s.

    ``match`` (``"area"`` or ``"region"``) restricts it to pairs that share that attribute; with
    ``either_order`` the two are only kept that far apart, in either order.
    """

    id: str
    first: Selector
    then: Selector
    match: Literal["", "area", "region"]
    min_gap_days: int
    sentence: str
    source: str
    requires_first: bool = False
    wait_for_result: bool = False
    either_order: bool = False


@dataclass(frozen=True)
class Referral:
    """A referral; ``adjunct_kinds`` are the modality kinds a plan still offers alongside it (marked adjunct,
    with ``adjunct``), and ``can``/``cannot`` say what injectables do and do not do for the finding."""

    id: str
    when_any: tuple[Condition, ...]
    to: str
    sentence: str
    source: str
    adjunct_kinds: frozenset[str] = frozenset()
    adjunct: str = ""
    can: str = ""
    cannot: str = ""
    patient: str = ""


@dataclass(frozen=True)
class RiskFlag:
    """A warning attached to the planned items of its treatments: always, or when its evidence holds
    (``when_any``) and, with ``sex``, only for a patient of that sex."""

    id: str
    treatments: tuple[str, ...]
    sentence: str
    source: str
    when_any: tuple[Condition, ...] = ()
    sex: str = ""

    def holds(self, ev: Evidence, sex: str | None) -> bool:
        if self.sex and self.sex != sex:
            return False
        return not self.when_any or any(c.holds(ev) for c in self.when_any)


@dataclass(frozen=True)
class ValueWeights:
    severity: Mapping[Severity, float]
    concern_bonus: float
    later_session_factor: float
    source: str


@dataclass(frozen=True)
class CorrectiveValue:
    """How a dissolve-first item is valued: as an indication of this priority at this severity."""

    priority: int
    severity: Severity
    source: str


@dataclass(frozen=True)
class ToxinTotals:
    """The method's typical toxin total for one session (the areas treated at one visit)."""

    typical_low_units: int
    typical_high_units: int
    source: str


@dataclass(frozen=True)
class VolumeLimits:
    """Filler volume (HA and CaHA, mL at the high dose) per visit and over the whole plan."""

    visit_cap_filler_ml: float
    plan_cap_filler_ml: float
    source: str


@dataclass(frozen=True)
class PhaseRules:
    """How a plan under a budget is phased: the most phases, the gap between them, and the value of a dose
    lowered to fit the budget."""

    max_phases: int
    gap_days: int
    low_dose_value_factor: float
    source: str


@dataclass(frozen=True)
class Limits:
    max_visits: int
    min_visit_gap_days: int
    horizon_days: int
    visit_cap_syringes: int
    visit_cap_toxin_units: int
    visit_cap_plla_vials: int
    plla_session_gap_days: tuple[int, int]
    toxin_min_interval_days: int
    source: str

    def max_visits_for(self, preferences: Preferences) -> int:
        """The visits the patient wants, or :attr:`max_visits` when they stated no preference."""
        return self.max_visits if preferences.max_visits is None else preferences.max_visits

    @property
    def toxin_min_interval_weeks(self) -> float:
        return self.toxin_min_interval_days / 7

    @property
    def plla_session_gap_text(self) -> str:
        """``'4-6 weeks'``: the PLLA session gap in words."""
        low, high = self.plla_session_gap_days
        return f"{low / 7:g}-{high / 7:g} weeks"


def floor_to_step(ml: float, step_ml: float) -> float:
    """``ml`` down to a whole number of ``step_ml`` steps (``step_ml`` divides 1 mL).

    >>> floor_to_step(0.888, 0.1), floor_to_step(0.3, 0.1)
    (0.8, 0.3)
    """
    per_ml = round(1 / step_ml)
    return math.floor(ml * per_ml + 1e-9) / per_ml


@dataclass(frozen=True)
class DoseSteps:
    """The steps doses are chosen in: ``step_ml`` for filler (mL), ``step_units`` for toxin units and vials.

    >>> steps = DoseSteps(0.1, 1.0, "src")
    >>> steps.round_ml(0.35), steps.floor_ml(0.99), steps.step_for("mL"), steps.step_for("U")
    (0.4, 0.9, 0.1, 1.0)
    """

    step_ml: float
    step_units: float
    source: str

    @property
    def per_ml(self) -> int:
        """Steps in one mL (10 for 0.1 mL steps): doses are counted in whole steps."""
        return round(1 / self.step_ml)

    def round_ml(self, ml: float) -> float:
        """``ml`` to the nearest step (halves up)."""
        return math.floor(ml * self.per_ml + 0.5) / self.per_ml

    def floor_ml(self, ml: float) -> float:
        """``ml`` down to a step (a ceiling is never rounded up past its limit)."""
        return floor_to_step(ml, self.step_ml)

    def step_for(self, unit: str) -> float:
        return self.step_ml if unit == "mL" else self.step_units


@dataclass(frozen=True)
class LipRules:
    upper_e_line_mm: float
    lower_e_line_mm: float
    projection_gain_mm_per_ml: float
    vermilion_gain_mm_per_ml: float
    inverted_ratio: float
    canon_ratio: float
    dose_step_ml: float
    source: str


@dataclass(frozen=True)
class CadenceRules:
    prior_weeks: float
    prior_strength: float
    floor_weeks: float
    high_exercise_factor: float
    low_dose_factor: float
    large_muscle_factor: float
    due_window_days: int
    source: str


@dataclass(frozen=True)
class PlanningRules:
    name: str
    version: str
    value: ValueWeights
    corrective: CorrectiveValue
    limits: Limits
    doses: DoseSteps
    visit_order: tuple[str, ...]
    ledger_persistence_years: float
    ledger_source: str
    lips: LipRules
    cadence: CadenceRules
    volume: VolumeLimits
    phases: PhaseRules
    toxin_totals: ToxinTotals
    indications: tuple[Indication, ...]
    relations: tuple[Relation, ...]
    sequences: tuple[Sequence, ...]
    referrals: tuple[Referral, ...]
    flags: tuple[RiskFlag, ...]

    def order_in_visit(self, kind: str) -> int:
        """Where a modality kind comes within one visit (kinds not listed come last)."""
        return self.visit_order.index(kind) if kind in self.visit_order else len(self.visit_order)


def _selector(row: Mapping[str, Any]) -> Selector:
    def s(key: str) -> frozenset[str]:
        v = row.get(key, [])
        return frozenset([v] if isinstance(v, str) else v)

    return Selector(str(row.get("treatment", "")), s("kind"), s("region"), s("area"))


Known = Callable[[str, str], str]


def _indication(row: Mapping[str, Any], known: Known) -> Indication:
    where = f"indication {row.get('id')!r}"
    if not 1 <= int(row["priority"]) <= 10:
        raise ClinicalDataError(f"{where} priority {row['priority']} is outside 1-10.")
    return Indication(
        id=row["id"],
        treatment=known(row["treatment"], where),
        priority=int(row["priority"]),
        when_any=conditions_of(row.get("when_any"), where),
        when_all=conditions_of(row.get("when_all"), where),
        unless_any=conditions_of(row.get("unless_any"), where),
        concerns=frozenset(row.get("concerns", [])),
        rationale=row["rationale"],
        source=source_of(row, where),
        unless_sentence=str(row.get("unless_sentence", "")),
        unless_patient=str(row.get("unless_patient", "")),
        needs_override=str(row.get("needs_override", "")),
        withheld=str(row.get("withheld", "")),
        replaces=tuple(known(t, where) for t in row.get("replaces", [])),
    )


def _relation(row: Mapping[str, Any], known: Known) -> Relation:
    where = f"relation {row.get('id')!r}"
    for tid in [row.get("first", ""), row.get("then", ""), *row.get("treatments", [])]:
        if tid:
            known(tid, where)
    return Relation(
        id=row["id"],
        kind=row["kind"],
        sentence=row["sentence"],
        source=source_of(row, where),
        first=row.get("first", ""),
        then=row.get("then", ""),
        min_gap_days=int(row.get("min_gap_days", 0)),
        then_dose_factor=float(row.get("then_dose_factor", 1.0)),
        treatments=tuple(row.get("treatments", [])),
        when_any=conditions_of(row.get("when_any"), where),
        upper_share=float(row.get("upper_share", 1.0)),
        requires_first=bool(row.get("requires_first", False)),
        wait_for_result=bool(row.get("wait_for_result", False)),
        patient=str(row.get("patient", "")),
    )


def _sequence(row: Mapping[str, Any]) -> Sequence:
    return Sequence(
        id=row["id"],
        first=_selector(row["first"]),
        then=_selector(row["then"]),
        match=row.get("match", ""),
        min_gap_days=int(row["min_gap_days"]),
        sentence=row["sentence"],
        source=source_of(row, f"sequence {row.get('id')!r}"),
        requires_first=bool(row.get("requires_first", False)),
        wait_for_result=bool(row.get("wait_for_result", False)),
        either_order=bool(row.get("either_order", False)),
    )


def _limits(lim: Mapping[str, Any]) -> Limits:
    return Limits(
        max_visits=int(lim["max_visits"]),
        min_visit_gap_days=int(lim["min_visit_gap_days"]),
        horizon_days=int(lim["horizon_days"]),
        visit_cap_syringes=int(lim["visit_cap_syringes"]),
        visit_cap_toxin_units=int(lim["visit_cap_toxin_units"]),
        visit_cap_plla_vials=int(lim["visit_cap_plla_vials"]),
        plla_session_gap_days=(int(lim["plla_session_gap_days"][0]), int(lim["plla_session_gap_days"][1])),
        toxin_min_interval_days=int(lim["toxin_min_interval_days"]),
        source=source_of(lim, "[limits]"),
    )


def _doses(row: Mapping[str, Any]) -> DoseSteps:
    steps = DoseSteps(float(row["step_ml"]), float(row["step_units"]), source_of(row, "[doses]"))
    if not 0 < steps.step_ml <= 1 or abs(steps.per_ml * steps.step_ml - 1) > 1e-9 or steps.step_units <= 0:
        raise ClinicalDataError(
            f"[doses] step_ml = {steps.step_ml}, step_units = {steps.step_units}.",
            hint="step_ml must divide 1 mL into whole steps (0.1, 0.05...); step_units must be positive.",
        )
    return steps


def _corrective(row: Mapping[str, Any], value: ValueWeights) -> CorrectiveValue:
    if not 1 <= int(row["priority"]) <= 10 or row["severity"] not in value.severity:
        raise ClinicalDataError(
            f"[corrective] priority {row['priority']}, severity {row['severity']!r}.",
            hint=f"A priority of 1-10 and a severity of [value]: {', '.join(value.severity)}.",
        )
    return CorrectiveValue(int(row["priority"]), row["severity"], source_of(row, "[corrective]"))


def _lips(lips: Mapping[str, Any], steps: DoseSteps) -> LipRules:
    return LipRules(
        float(lips["upper_e_line_mm"]),
        float(lips["lower_e_line_mm"]),
        float(lips["projection_gain_mm_per_ml"]),
        float(lips["vermilion_gain_mm_per_ml"]),
        float(lips["inverted_ratio"]),
        float(lips["canon_ratio"]),
        steps.step_ml,
        source_of(lips, "[lips]"),
    )


def _phases(row: Mapping[str, Any]) -> PhaseRules:
    rules = PhaseRules(
        int(row["max_phases"]), int(row["gap_days"]), float(row["low_dose_value_factor"]), source_of(row, "[phases]")
    )
    if rules.max_phases < 1 or not 0 < rules.low_dose_value_factor <= 1:
        raise ClinicalDataError(
            f"[phases] max_phases = {rules.max_phases}, low_dose_value_factor = {rules.low_dose_value_factor}.",
            hint="At least one phase; a lowered dose is worth more than 0 and at most the full dose.",
        )
    return rules


def _cadence(cad: Mapping[str, Any]) -> CadenceRules:
    return CadenceRules(
        float(cad["prior_weeks"]),
        float(cad["prior_strength"]),
        float(cad["floor_weeks"]),
        float(cad["high_exercise_factor"]),
        float(cad["low_dose_factor"]),
        float(cad["large_muscle_factor"]),
        int(cad["due_window_days"]),
        source_of(cad, "[toxin_cadence]"),
    )


def parse_planning_rules(doc: Mapping[str, Any], treatments: frozenset[str]) -> PlanningRules:
    """Rules from their TOML form, checked against the catalogue's treatment ids."""

    def known(tid: str, where: str) -> str:
        if tid not in treatments:
            raise ClinicalDataError(f"{where} names unknown treatment {tid!r}.", hint="Use a catalogue id.")
        return tid

    referrals = [
        Referral(
            row["id"],
            conditions_of(row["when_any"], row["id"]),
            row["to"],
            row["sentence"],
            source_of(row, f"referral {row['id']!r}"),
            frozenset(row.get("adjunct_kinds", [])),
            str(row.get("adjunct", "")),
            str(row.get("injectables_can", "")),
            str(row.get("injectables_cannot", "")),
            str(row.get("patient", "")),
        )
        for row in doc.get("referral", [])
    ]
    flags = [
        RiskFlag(
            row["id"],
            tuple(known(t, row["id"]) for t in row["treatments"]),
            row["sentence"],
            source_of(row, row["id"]),
            conditions_of(row.get("when_any"), row["id"]),
            str(row.get("sex", "")),
        )
        for row in doc.get("flag", [])
    ]
    v, led = doc["value"], doc["ledger"]
    value = ValueWeights(
        {"mild": v["severity_mild"], "moderate": v["severity_moderate"], "marked": v["severity_marked"]},
        float(v["concern_bonus"]),
        float(v["later_session_factor"]),
        source_of(v, "[value]"),
    )
    source_of(doc["visit_order"], "[visit_order]")
    steps = _doses(doc["doses"])
    return PlanningRules(
        name=doc["meta"]["name"],
        version=doc["meta"]["version"],
        value=value,
        corrective=_corrective(doc["corrective"], value),
        limits=_limits(doc["limits"]),
        doses=steps,
        visit_order=tuple(str(k) for k in doc["visit_order"]["kinds"]),
        ledger_persistence_years=float(led["persistence_years"]),
        ledger_source=source_of(led, "[ledger]"),
        lips=_lips(doc["lips"], steps),
        cadence=_cadence(doc["toxin_cadence"]),
        volume=VolumeLimits(
            float(doc["volume"]["visit_cap_filler_ml"]),
            float(doc["volume"]["plan_cap_filler_ml"]),
            source_of(doc["volume"], "[volume]"),
        ),
        phases=_phases(doc["phases"]),
        toxin_totals=ToxinTotals(
            int(doc["toxin_totals"]["typical_low_units"]),
            int(doc["toxin_totals"]["typical_high_units"]),
            source_of(doc["toxin_totals"], "[toxin_totals]"),
        ),
        indications=tuple(_indication(row, known) for row in doc.get("indication", [])),
        relations=tuple(_relation(row, known) for row in doc.get("relation", [])),
        sequences=tuple(_sequence(row) for row in doc.get("sequence", [])),
        referrals=tuple(referrals),
        flags=tuple(flags),
    )


@functools.lru_cache(maxsize=1)
def load_planning_rules() -> PlanningRules:
    """The packaged planning rules, checked against the packaged catalogue."""
    from facebalance.planning.catalog import load_catalog

    return parse_planning_rules(packaged_toml("rules.toml"), frozenset(load_catalog().treatments))
