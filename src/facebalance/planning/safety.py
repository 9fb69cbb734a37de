"""Safety gates (``data/safety.toml``): BDDQ-AS screening, patient selection, contraindications, repeats.

Every gate returns what it decided and the sentence the plan shows; none raises for a clinical finding
(a positive screen, a selection hold or a contraindication is a plan outcome, not an error). A clinician
override without a name or a written reason *is* an error: the override must be documented.

Patient selection holds the plan like a positive BDDQ-AS: an expectation the method says treatment cannot
meet (wanting to look like someone else), or repeated treatment of one area the patient was unhappy with,
gives no plan until a clinician overrides the hold with a reason (intake ``overrides.patient_selection``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from facebalance.planning.datafiles import packaged_toml, source_of
from facebalance.planning.errors import ClinicalDataError, IntakeError
from facebalance.planning.intake import BddqAs, ClinicianOverride, Intake, MedicalHistory, PriorTreatment
from facebalance.planning.timeline import DAYS_PER_MONTH
from facebalance.planning.vocabulary import Vocabulary

Action = Literal["defer", "exclude", "caution"]
ExpectationAction = Literal["hold", "caution"]
#: The gate id of the patient-selection hold in the intake's ``overrides``.
SELECTION_GATE = "patient_selection"


@dataclass(frozen=True)
class BddqAsRule:
    """The BDDQ-AS scoring rule: item 1 AND item 2 AND (any of 3-6 >= ``impairment_at_least`` OR item 7)."""

    impairment_at_least: int
    override_min_chars: int
    refer_to: str
    rule: str
    source: str


@dataclass(frozen=True)
class Contraindication:
    id: str
    field: str
    any_of: frozenset[str]
    per_area: bool
    areas: frozenset[str]
    modalities: frozenset[str]
    action: Action
    sentence: str
    source: str
    patient: str = ""
    at_least: int | None = None

    def triggered_by(self, medical: MedicalHistory, vocabulary: Vocabulary | None = None) -> tuple[str, ...] | None:
        """``None`` when the row does not apply; else the matching entries (``()`` for a yes/no or number field).

        A list entry matches ``any_of`` by its id or by its class in the vocabulary (gentamicin is an
        aminoglycoside); entries that mean "nothing" (``none``, ``nkda``) never match.
        """
        value = medical.field_value(self.field)
        if value is None:
            return None
        if isinstance(value, bool):
            return () if value else None
        if isinstance(value, int):
            return () if self.at_least is not None and value >= self.at_least else None
        nothing = vocabulary.nothing if vocabulary is not None else frozenset()
        classes = vocabulary.medication_class if vocabulary is not None else {}
        hits = tuple(
            v for v in value if v not in nothing and (not self.any_of or {v, classes.get(v, "")} & self.any_of)
        )
        return hits or None


@dataclass(frozen=True)
class ExpectationRule:
    """An expectation the clinician ticks: ``hold`` stops the plan (until an override), ``caution`` flags it."""

    id: str
    action: ExpectationAction
    sentence: str
    patient: str
    source: str


@dataclass(frozen=True)
class RepeatRule:
    window_months: int
    max_filler_sessions_same_area: int
    max_dissatisfied_sessions_same_area: int
    source: str


@dataclass(frozen=True)
class UnhappyHoldRule:
    """The patient-selection hold for repeated unhappy treatment of one area."""

    window_months: int
    unhappy_sessions_same_area: int
    sentence: str
    patient: str
    source: str


@dataclass(frozen=True)
class OverrideRules:
    """The gates a clinician may go past (id -> what the override means) and the reason they must write."""

    min_reason_chars: int
    gates: Mapping[str, str]
    source: str


@dataclass(frozen=True)
class SafetyRules:
    version: str
    bddq_as: BddqAsRule
    min_age_years: int
    eligibility_source: str
    contraindications: tuple[Contraindication, ...]
    expectations: Mapping[str, ExpectationRule]
    repeat: RepeatRule
    unhappy_hold: UnhappyHoldRule
    overrides: OverrideRules
    reconsult_days: Mapping[str, int]
    reconsult_source: str


def parse_safety_rules(doc: Mapping[str, Any]) -> SafetyRules:
    """Safety rules from their TOML form (every row sourced)."""
    b = doc["bddq_as"]
    contraindications = []
    for row in doc.get("contraindication", []):
        where = f"contraindication {row.get('id')!r}"
        if row["when"]["field"] not in MedicalHistory.__dataclass_fields__:
            raise ClinicalDataError(f"{where} names unknown intake field {row['when']['field']!r}.")
        if row["action"] not in ("defer", "exclude", "caution") or not row.get("patient"):
            raise ClinicalDataError(f"{where}: action {row['action']!r}, and every row says it to the patient.")
        contraindications.append(
            Contraindication(
                id=row["id"],
                field=row["when"]["field"],
                any_of=frozenset(row["when"].get("any_of", [])),
                per_area=bool(row.get("per_area", False)),
                areas=frozenset(row.get("areas", [])),
                modalities=frozenset(row["modalities"]),
                action=row["action"],
                sentence=row["sentence"],
                source=source_of(row, where),
                patient=row["patient"],
                at_least=row["when"].get("at_least"),
            )
        )
    expectations = {}
    for row in doc.get("expectation", []):
        if row.get("action") not in ("hold", "caution"):
            raise ClinicalDataError(f"expectation {row['id']!r}: action {row.get('action')!r}; use hold or caution.")
        expectations[row["id"]] = ExpectationRule(
            row["id"], row["action"], row["sentence"], row["patient"], source_of(row, row["id"])
        )
    r, h, o, rc = doc["repeat_treatment"], doc["repeat_unhappy_hold"], doc["overrides"], doc["reconsult"]
    return SafetyRules(
        version=doc["meta"]["version"],
        bddq_as=BddqAsRule(
            int(b["impairment_at_least"]),
            int(b["override_min_chars"]),
            b["refer_to"],
            b["rule"],
            source_of(b, "[bddq_as]"),
        ),
        min_age_years=int(doc["eligibility"]["min_age_years"]),
        eligibility_source=source_of(doc["eligibility"], "[eligibility]"),
        contraindications=tuple(contraindications),
        expectations=expectations,
        repeat=RepeatRule(
            int(r["window_months"]),
            int(r["max_filler_sessions_same_area"]),
            int(r["max_dissatisfied_sessions_same_area"]),
            source_of(r, "[repeat_treatment]"),
        ),
        unhappy_hold=UnhappyHoldRule(
            int(h["window_months"]),
            int(h["unhappy_sessions_same_area"]),
            h["sentence"],
            h["patient"],
            source_of(h, "[repeat_unhappy_hold]"),
        ),
        overrides=OverrideRules(
            int(o["min_reason_chars"]),
            {g["id"]: g["sentence"] for g in doc.get("override_gate", [])},
            source_of(o, "[overrides]"),
        ),
        reconsult_days={k: int(v) for k, v in rc.items() if k not in ("source", "review")},
        reconsult_source=source_of(rc, "[reconsult]"),
    )


@functools.lru_cache(maxsize=1)
def load_safety_rules() -> SafetyRules:
    """The packaged safety rules, parsed once per process."""
    return parse_safety_rules(packaged_toml("safety.toml"))


# --- BDDQ-AS ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenResult:
    """The BDDQ-AS outcome. ``proceed`` is False when the screen is positive and not validly overridden."""

    recorded: bool
    positive: bool
    proceed: bool
    sentence: str
    override: ClinicianOverride | None = None


def bddq_as_positive(answers: BddqAs, rule: BddqAsRule) -> bool:
    """The published BDDQ-AS rule (Picavet 2011; Lekakis 2016).

    Positive when item 1 (concerned about appearance) AND item 2 (preoccupied: thinks about it a lot and
    wishes they could think about it less) AND at least moderate distress or impairment: any of items 3-6
    rated ``>= rule.impairment_at_least`` (3, "moderately", on 1-5) or item 7 yes.

    Examples
    --------
    >>> rule = BddqAsRule(3, 20, "psychologist", "rule", "src")
    >>> bddq_as_positive(BddqAs(True, True, 1, 3, 1, 1, False), rule)
    True
    >>> bddq_as_positive(BddqAs(True, False, 5, 5, 5, 5, True), rule)
    False
    """
    impaired = (
        max(answers.q3_distress, answers.q4_social, answers.q5_work_school, answers.q6_avoidance)
        >= rule.impairment_at_least
        or answers.q7_impairment
    )
    return answers.q1_concerned and answers.q2_preoccupied and impaired


def screen_bddq_as(answers: BddqAs | None, override: ClinicianOverride | None, rule: BddqAsRule) -> ScreenResult:
    """Score the screen and apply a clinician override, which needs a written reason.

    Raises
    ------
    IntakeError
        If an override is given with a reason shorter than ``rule.override_min_chars`` or no clinician.
    """
    if answers is None:
        return ScreenResult(
            False,
            False,
            True,
            "BDDQ-AS not recorded: screen for body dysmorphic disorder before any treatment.",
        )
    if not bddq_as_positive(answers, rule):
        return ScreenResult(True, False, True, "BDDQ-AS negative.")
    if override is None:
        return ScreenResult(
            True,
            True,
            False,
            f"BDDQ-AS positive: no aesthetic plan. Refer to a {rule.refer_to}. {rule.rule}",
        )
    check_override(override, "bddq_as_override", rule.override_min_chars)
    return ScreenResult(
        True,
        True,
        True,
        f"BDDQ-AS positive, overridden by {override.clinician}: {override.reason.strip()}",
        override,
    )


# --- contraindications, expectations, repeats ------------------------------------------------------


@dataclass(frozen=True)
class ContraindicationHit:
    rule: Contraindication
    entries: tuple[str, ...]

    def applies_to(self, modality: str, area: str, *, whole_face: bool = False) -> bool:
        """Whether the row acts on a treatment of this modality and area; a per-area row (an infection at a
        site) acts on a whole-face treatment whatever the site."""
        if modality not in self.rule.modalities or (self.rule.areas and area not in self.rule.areas):
            return False
        return not self.rule.per_area or area in self.entries or whole_face


def check_override(override: ClinicianOverride, where: str, min_reason_chars: int) -> None:
    """Refuse an override without the clinician's name or a written reason of ``min_reason_chars``.

    Raises
    ------
    IntakeError
        Naming the override's field and what to write.
    """
    if not override.clinician.strip():
        raise IntakeError(
            f"{where}.clinician is empty: an override needs the clinician's name.",
            hint="Write the name of the clinician taking the decision.",
        )
    if len(override.reason.strip()) < min_reason_chars:
        raise IntakeError(
            f"{where}.reason is too short: an override needs a written reason.",
            hint=f"Write at least {min_reason_chars} characters saying why treatment is appropriate.",
        )


def contraindications_for(
    medical: MedicalHistory, rules: SafetyRules, vocabulary: Vocabulary | None = None
) -> tuple[ContraindicationHit, ...]:
    """Every contraindication row the patient's medical history triggers, in file order."""
    hits = []
    for row in rules.contraindications:
        entries = row.triggered_by(medical, vocabulary)
        if entries is not None:
            hits.append(ContraindicationHit(row, entries))
    return tuple(hits)


def _months_between(a: date, b: date) -> float:
    return (b - a).days / DAYS_PER_MONTH


def _unhappy(history: Sequence[PriorTreatment], area: str) -> list[PriorTreatment]:
    return [t for t in history if t.area == area and (t.satisfied is False or t.disliked)]


def repeat_treatment_flags(intake: Intake, rules: RepeatRule) -> tuple[str, ...]:
    """Sentences for areas where the history suggests chasing diminishing returns.

    Flags an area with ``max_filler_sessions_same_area`` or more filler sessions within ``window_months``
    of the start date, or ``max_dissatisfied_sessions_same_area`` or more sessions the patient was
    unhappy with.
    """
    by_area: dict[str, list[tuple[date, bool | None]]] = {}
    for t in intake.history:
        if t.modality in ("ha", "plla", "caha"):
            by_area.setdefault(t.area, []).append((t.date, t.satisfied))
    out = []
    for area, sessions in sorted(by_area.items()):
        recent = [d for d, _ in sessions if 0 <= _months_between(d, intake.start_date) <= rules.window_months]
        unhappy = [d for d, s in sessions if s is False]
        if len(recent) >= rules.max_filler_sessions_same_area:
            out.append(
                f"Repeated treatment: {len(recent)} filler sessions in the {area} within {rules.window_months} "
                "months. More product rarely fixes what the last sessions did not; reassess the goal before adding."
            )
        elif len(unhappy) >= rules.max_dissatisfied_sessions_same_area:
            out.append(
                f"Repeated dissatisfaction: the patient was unhappy after {len(unhappy)} filler sessions in the "
                f"{area}. Explore the expectation before treating the area again."
            )
    return tuple(out)


def expectation_flags(intake: Intake, rules: SafetyRules) -> tuple[str, ...]:
    """The sentences of the ``caution`` expectations ticked on the intake (``hold`` ones are holds)."""
    return tuple(
        f"Unrealistic expectation: {rules.expectations[e].sentence}"
        for e in intake.expectations
        if e in rules.expectations and rules.expectations[e].action == "caution"
    )


@dataclass(frozen=True)
class Hold:
    """A patient-selection stop: no plan until a clinician overrides it (``patient`` is said to the patient)."""

    id: str
    sentence: str
    patient: str
    source: str


def selection_holds(intake: Intake, rules: SafetyRules, area_label: Mapping[str, str]) -> tuple[Hold, ...]:
    """The patient-selection holds: ``hold`` expectations ticked on the intake, and an area treated
    ``unhappy_sessions_same_area`` times or more within ``window_months`` with the patient unhappy each time.

    ``area_label`` names each area in words (``lips``) for the sentences.
    """
    holds = [
        Hold(f"expectation:{e}", f"Unrealistic expectation: {r.sentence}", r.patient, r.source)
        for e in intake.expectations
        if (r := rules.expectations.get(e)) is not None and r.action == "hold"
    ]
    rule = rules.unhappy_hold
    recent = [t for t in intake.history if 0 <= _months_between(t.date, intake.start_date) <= rule.window_months]
    for area in sorted({t.area for t in recent}):
        n = len(_unhappy(recent, area))
        if n >= rule.unhappy_sessions_same_area:
            words = {"n": n, "area": area_label.get(area, area.replace("_", " ")), "months": rule.window_months}
            holds.append(
                Hold(
                    f"repeat_unhappy:{area}",
                    "Repeated unhappy treatment: " + rule.sentence.format(**words),
                    rule.patient.format(**words),
                    rule.source,
                )
            )
    return tuple(holds)
