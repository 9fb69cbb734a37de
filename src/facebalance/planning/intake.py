"""What the planner is given: findings, clinician grades, and the patient's intake.

Everything here is a frozen dataclass, built from plain mappings (parsed JSON or TOML) by
:func:`parse_intake`, :func:`findings_from_frontal` and :func:`findings_from_dynamics` (their documents are
typed in :mod:`facebalance.planning.documents`). Nothing here reads files: the CLI does.

``left``/``right`` in finding ids are the patient's sides. Dates are ISO ``YYYY-MM-DD``; the plan's
``start_date`` is the planner's clock (it never reads today's date itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, cast

from facebalance.planning.documents import DynamicFindingRow
from facebalance.planning.errors import IntakeError

FindingSource = Literal["frontal", "profile", "dynamic", "clinician"]
Severity = Literal["mild", "moderate", "marked"]
BudgetBasis = Literal["high", "mid"]
Modality = Literal["toxin", "ha", "plla", "caha", "hyaluronidase"]

INTAKE_SCHEMA = "facebalance.intake"
INTAKE_SCHEMA_VERSION = "1.0"
FRONTAL_SCHEMA = "facebalance.frontal_analysis"

_SOURCES: tuple[FindingSource, ...] = ("frontal", "profile", "dynamic", "clinician")
_SEVERITIES: tuple[Severity, ...] = ("mild", "moderate", "marked")
_MODALITIES: tuple[Modality, ...] = ("toxin", "ha", "plla", "caha", "hyaluronidase")
#: The unit each modality's history amounts are recorded in.
HISTORY_UNITS: Mapping[str, str] = {"toxin": "U", "ha": "mL", "plla": "vial", "caha": "mL", "hyaluronidase": "U"}


@dataclass(frozen=True)
class FindingInput:
    """A finding the planner can act on, from any analysis or from the clinician.

    Parameters
    ----------
    id : str
        Stable id. Frontal findings keep their analysis ids (``chin_height_mm_below``,
        ``lips_vs_chin_short_chin``); profile, dynamic and clinician findings are prefixed with their
        source (``profile.recessed_chin``, ``dynamic.dao_pull_strong``). docs/planning.md lists them.
    zone : str
        ``upper_face``, ``midface``, ``lower_face``, ``profile``, ``symmetry`` or ``proportions``.
    severity : {'mild', 'moderate', 'marked'}
    source : {'frontal', 'profile', 'dynamic', 'clinician'}
    values : mapping of str to float
        The measurement values behind the finding, by measurement id (units in the id).
    sentence : str
        The finding in words, as the analysis wrote it.
    """

    id: str
    zone: str
    severity: Severity
    source: FindingSource
    values: Mapping[str, float] = field(default_factory=dict)
    sentence: str = ""


@dataclass(frozen=True)
class Concern:
    """A concern in the patient's own words, tagged with the area it is about (``lips``, ``chin``...)."""

    area: str
    text: str = ""


@dataclass(frozen=True)
class PriorTreatment:
    """One earlier treatment.

    ``amount`` is in :data:`HISTORY_UNITS` of the modality (toxin U, HA and CaHA mL, PLLA vials).
    ``disliked`` marks filler the patient wants gone (a corrective case). For toxin,
    ``movement_returned_weeks`` is the observed time until movement came back.
    """

    date: date
    modality: Modality
    area: str
    amount: float
    product: str = ""
    clinic: str = ""
    satisfied: bool | None = None
    disliked: bool = False
    movement_returned_weeks: float | None = None


@dataclass(frozen=True)
class MedicalHistory:
    """The medical part of the intake. List fields hold lower-case ids (``"aminoglycoside"``)."""

    pregnant: bool = False
    breastfeeding: bool = False
    anticoagulants: bool = False
    keloid_history: bool = False
    herpes_labialis_history: bool = False
    autoimmune_active: bool = False
    allergies: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    neuromuscular_conditions: tuple[str, ...] = ()
    autoimmune_conditions: tuple[str, ...] = ()
    active_infection_areas: tuple[str, ...] = ()

    def field_value(self, name: str) -> bool | tuple[str, ...]:
        """A field by name, for the contraindication rows of ``safety.toml``."""
        if name not in self.__dataclass_fields__:
            raise KeyError(name)
        return cast("bool | tuple[str, ...]", getattr(self, name))


@dataclass(frozen=True)
class BddqAs:
    """Answers to the BDDQ-AS: items 1, 2, 7 yes/no; items 3-6 rated 1 (not at all) to 5 (extremely)."""

    q1_concerned: bool
    q2_preoccupied: bool
    q3_distress: int
    q4_social: int
    q5_work_school: int
    q6_avoidance: int
    q7_impairment: bool


@dataclass(frozen=True)
class ClinicianOverride:
    """A clinician's decision to plan despite a positive BDDQ-AS screen, with the written reason."""

    clinician: str
    reason: str


@dataclass(frozen=True)
class Preferences:
    """Budget and visits.

    ``budget_usd`` of ``None`` means no stated budget. ``budget_basis`` says which end of each price range
    the budget is checked against: ``"high"`` (the default: the quote never exceeds the budget) or
    ``"mid"``. ``max_visits`` of ``None`` means the planning rules' default (``[limits] max_visits``).
    ``lip_upper_share`` overrides the catalogue's share of lip filler for the upper lip.
    """

    budget_usd: float | None = None
    budget_basis: BudgetBasis = "high"
    max_visits: int | None = None
    prefers_gradual: bool = False
    lip_upper_share: float | None = None


@dataclass(frozen=True)
class Intake:
    """Everything the patient and clinician record before planning."""

    start_date: date
    age_years: int | None = None
    sex: str | None = None
    new_patient: bool = True
    goals: str = ""
    concerns: tuple[Concern, ...] = ()
    requested_treatments: tuple[str, ...] = ()
    grades: Mapping[str, int] = field(default_factory=dict)
    findings: tuple[FindingInput, ...] = ()
    measurements: Mapping[str, float] = field(default_factory=dict)
    history: tuple[PriorTreatment, ...] = ()
    medical: MedicalHistory = field(default_factory=MedicalHistory)
    high_exercise: bool = False
    bddq_as: BddqAs | None = None
    bddq_as_override: ClinicianOverride | None = None
    expectations: tuple[str, ...] = ()
    preferences: Preferences = field(default_factory=Preferences)

    @property
    def concern_areas(self) -> frozenset[str]:
        return frozenset(c.area for c in self.concerns)


# --- parsing ----------------------------------------------------------------------------------------


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise IntakeError(f"{where} = {value!r} is not a date.", hint="Write dates as YYYY-MM-DD.") from None


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IntakeError(f"{where} must be a list of strings.", hint='Example: ["aminoglycoside"].')
    # "Bee venom", "bee-venom" and "bee_venom" are one id: the rows of safety.toml use snake_case.
    return tuple(re.sub(r"[\s-]+", "_", v.strip().lower()) for v in value)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise IntakeError(f"{where} = {value!r} must be true or false.")
    return value


def _likert(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise IntakeError(f"{where} = {value!r} must be 1 (not at all) to 5 (extremely).")
    return value


def _finding(row: Mapping[str, Any], where: str) -> FindingInput:
    try:
        fid, zone = str(row["id"]), str(row.get("zone", ""))
    except KeyError:
        raise IntakeError(f"{where} has no id.", hint="Each finding needs an id, e.g. profile.recessed_chin.") from None
    severity = row.get("severity", "moderate")
    source = row.get("source", fid.split(".", 1)[0] if "." in fid else "clinician")
    if severity not in _SEVERITIES:
        raise IntakeError(f"{where}.severity = {severity!r}.", hint="Use mild, moderate or marked.")
    if source not in _SOURCES:
        raise IntakeError(f"{where}.source = {source!r}.", hint=f"Use one of {', '.join(_SOURCES)}.")
    values = {str(k): float(v) for k, v in dict(row.get("values", {})).items()}
    return FindingInput(fid, zone, severity, source, values, str(row.get("sentence", "")))


def _history(row: Mapping[str, Any], where: str) -> PriorTreatment:
    modality = row.get("modality")
    if modality not in _MODALITIES:
        raise IntakeError(f"{where}.modality = {modality!r}.", hint=f"Use one of {', '.join(_MODALITIES)}.")
    unit = row.get("unit", HISTORY_UNITS[modality])
    if unit != HISTORY_UNITS[modality]:
        raise IntakeError(
            f"{where}.unit = {unit!r}; {modality} is recorded in {HISTORY_UNITS[modality]}.",
            hint="Convert the amount (e.g. HA syringes of 1 mL -> mL).",
        )
    amount = float(row.get("amount", 0.0))
    if amount < 0:
        raise IntakeError(f"{where}.amount = {amount} is negative.")
    returned = row.get("movement_returned_weeks")
    satisfied = row.get("satisfied")
    return PriorTreatment(
        date=_date(row.get("date"), f"{where}.date"),
        modality=modality,
        area=str(row.get("area", "")),
        amount=amount,
        product=str(row.get("product", "")),
        clinic=str(row.get("clinic", "")),
        satisfied=None if satisfied is None else _bool(satisfied, f"{where}.satisfied"),
        disliked=_bool(row.get("disliked", False), f"{where}.disliked"),
        movement_returned_weeks=None if returned is None else float(returned),
    )


def _medical(doc: Mapping[str, Any]) -> MedicalHistory:
    known = MedicalHistory.__dataclass_fields__
    unknown = sorted(set(doc) - set(known))
    if unknown:
        raise IntakeError(f"Unknown medical field(s): {', '.join(unknown)}.", hint=f"Use: {', '.join(known)}.")
    kwargs: dict[str, Any] = {}
    for name, value in doc.items():
        default = known[name].default
        kwargs[name] = _bool(value, f"medical.{name}") if isinstance(default, bool) else _strs(value, f"medical.{name}")
    return MedicalHistory(**kwargs)


def _bddq(doc: Mapping[str, Any]) -> BddqAs:
    try:
        return BddqAs(
            q1_concerned=_bool(doc["q1"], "bddq_as.q1"),
            q2_preoccupied=_bool(doc["q2"], "bddq_as.q2"),
            q3_distress=_likert(doc["q3"], "bddq_as.q3"),
            q4_social=_likert(doc["q4"], "bddq_as.q4"),
            q5_work_school=_likert(doc["q5"], "bddq_as.q5"),
            q6_avoidance=_likert(doc["q6"], "bddq_as.q6"),
            q7_impairment=_bool(doc["q7"], "bddq_as.q7"),
        )
    except KeyError as exc:
        raise IntakeError(
            f"BDDQ-AS item {exc.args[0]} is missing.", hint="Record all seven items (q1-q7) or omit bddq_as."
        ) from None


def _preferences(doc: Mapping[str, Any]) -> Preferences:
    budget = doc.get("budget_usd")
    basis = doc.get("budget_basis", "high")
    if basis not in ("high", "mid"):
        raise IntakeError(f"preferences.budget_basis = {basis!r}.", hint="Use high or mid.")
    max_visits = doc.get("max_visits")
    if max_visits is not None and (
        isinstance(max_visits, bool) or not isinstance(max_visits, int) or not 1 <= max_visits <= 6
    ):
        raise IntakeError(f"preferences.max_visits = {max_visits!r}.", hint="Use 1 to 6 (2-4 is typical).")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int | float) or budget < 0):
        raise IntakeError(f"preferences.budget_usd = {budget!r}.", hint="A number of dollars, or leave it out.")
    share = doc.get("lip_upper_share")
    if share is not None and not 0.0 <= float(share) <= 1.0:
        raise IntakeError(f"preferences.lip_upper_share = {share!r}.", hint="A fraction from 0 to 1.")
    return Preferences(
        budget_usd=None if budget is None else float(budget),
        budget_basis=basis,
        max_visits=max_visits,
        prefers_gradual=_bool(doc.get("prefers_gradual", False), "preferences.prefers_gradual"),
        lip_upper_share=None if share is None else float(share),
    )


def parse_intake(doc: Mapping[str, Any]) -> Intake:
    """The intake from its JSON/TOML form (schema ``facebalance.intake`` 1.0, see docs/planning.md).

    Raises
    ------
    IntakeError
        With the field that is wrong and how to fix it.

    Examples
    --------
    >>> intake = parse_intake({"start_date": "2026-12-01", "concerns": [{"area": "lips", "text": "thin"}]})
    >>> intake.start_date.isoformat(), sorted(intake.concern_areas)
    ('2026-12-01', ['lips'])
    """
    schema = doc.get("schema", INTAKE_SCHEMA)
    if schema != INTAKE_SCHEMA:
        raise IntakeError(f"This is a {schema!r} document, not an intake.", hint=f"Pass a {INTAKE_SCHEMA} file.")
    version = str(doc.get("schema_version", INTAKE_SCHEMA_VERSION))
    if version.split(".")[0] != INTAKE_SCHEMA_VERSION.split(".")[0]:
        raise IntakeError(
            f"Intake schema version {version} is not supported.", hint=f"Write version {INTAKE_SCHEMA_VERSION}."
        )
    if "start_date" not in doc:
        raise IntakeError("The intake has no start_date.", hint="Add start_date = the consultation date, YYYY-MM-DD.")
    patient = dict(doc.get("patient", {}))
    age = patient.get("age_years")
    concerns = []
    for i, c in enumerate(doc.get("concerns", [])):
        if isinstance(c, str):
            concerns.append(Concern(c.strip().lower()))
        elif "area" in c:
            concerns.append(Concern(str(c["area"]).strip().lower(), str(c.get("text", ""))))
        else:
            raise IntakeError(f"concerns[{i}] has no area.", hint='Example: {"area": "lips", "text": "too thin"}.')
    grades = dict(doc.get("grades", {}))
    override = doc.get("bddq_as_override")
    return Intake(
        start_date=_date(doc["start_date"], "start_date"),
        age_years=None if age is None else int(age),
        sex=patient.get("sex"),
        new_patient=_bool(patient.get("new_patient", True), "patient.new_patient"),
        goals=str(doc.get("goals", "")),
        concerns=tuple(concerns),
        requested_treatments=_strs(doc.get("requested_treatments"), "requested_treatments"),
        grades=grades,
        findings=tuple(_finding(r, f"findings[{i}]") for i, r in enumerate(doc.get("findings", []))),
        measurements={str(k): float(v) for k, v in dict(doc.get("measurements", {})).items()},
        history=tuple(_history(r, f"history[{i}]") for i, r in enumerate(doc.get("history", []))),
        medical=_medical(dict(doc.get("medical", {}))),
        high_exercise=_bool(dict(doc.get("lifestyle", {})).get("high_exercise", False), "lifestyle.high_exercise"),
        bddq_as=None if doc.get("bddq_as") is None else _bddq(doc["bddq_as"]),
        bddq_as_override=None
        if override is None
        else ClinicianOverride(str(override.get("clinician", "")), str(override.get("reason", ""))),
        expectations=_strs(doc.get("expectations"), "expectations"),
        preferences=_preferences(dict(doc.get("preferences", {}))),
    )


def findings_from_frontal(doc: Mapping[str, Any]) -> tuple[tuple[FindingInput, ...], dict[str, float]]:
    """The findings and measurement values of a frontal analysis document (``facebalance analyze --json``).

    Findings the clinician marked ``"rejected"`` are left out. Returns ``(findings, measurements)`` where
    ``measurements`` maps every measured id (``upper_vermilion_height_mm``...) to its value.

    Raises
    ------
    IntakeError
        If the document is not a frontal analysis.
    """
    if doc.get("schema") != FRONTAL_SCHEMA:
        raise IntakeError(
            f"The assessment is a {doc.get('schema')!r} document, not a frontal analysis.",
            hint="Pass the JSON written by `facebalance analyze PHOTO --json FILE`.",
        )
    measured: dict[str, float] = {}
    for mid, m in dict(doc.get("measurements", {})).items():
        if isinstance(m, Mapping) and isinstance(m.get("value"), int | float):
            measured[str(mid)] = float(m["value"])
    findings = []
    for row in doc.get("findings", []):
        if row.get("status") == "rejected":
            continue
        zones: Sequence[str] = row.get("zones") or ["proportions"]
        values = {m: measured[m] for m in row.get("measurements", []) if m in measured}
        severity = row.get("severity", "mild")
        findings.append(
            FindingInput(
                id=str(row["id"]),
                zone=str(zones[0]),
                severity=severity if severity in _SEVERITIES else "mild",
                source="frontal",
                values=values,
                sentence=str(row.get("sentence", "")),
            )
        )
    return tuple(findings), measured


def findings_from_dynamics(rows: Iterable[DynamicFindingRow]) -> tuple[FindingInput, ...]:
    """The planner's findings of the dynamic (movement) findings, as the dynamic assessment document writes
    them or as a clinician's review left them.

    Each becomes a ``dynamic`` finding under the engine's rule id (``rule`` of a reviewed row, else ``id``:
    ``dynamic.dao_pull_strong``, which the planning rules read), zone ``symmetry``, its severity (``mild``
    when it has none the planner knows), the movement value under its first measurement id, and its sentence.
    Findings the clinician marked ``"rejected"`` are left out.

    Examples
    --------
    >>> row = {"id": "dynamic-dao", "rule": "dynamic.dao_pull_strong", "severity": "moderate",
    ...        "measurements": ["commissure_depression_mm"], "value": 2.4}
    >>> (f,) = findings_from_dynamics([row])
    >>> f.id, f.source, f.severity, dict(f.values)
    ('dynamic.dao_pull_strong', 'dynamic', 'moderate', {'commissure_depression_mm': 2.4})
    """
    out = []
    for row in rows:
        if row.get("status") == "rejected":
            continue
        value = row.get("value")
        metrics = [str(m) for m in row.get("measurements", [])]
        values = {metrics[0]: float(value)} if metrics and isinstance(value, int | float) else {}
        severity = row.get("severity", "mild")
        out.append(
            FindingInput(
                id=str(row.get("rule") or row.get("id")),
                zone="symmetry",
                severity=severity if severity in _SEVERITIES else "mild",
                source="dynamic",
                values=values,
                sentence=str(row.get("sentence", "")),
            )
        )
    return tuple(out)
