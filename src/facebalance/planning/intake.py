"""What the planner is given: findings, clinician grades, and the patient's intake.

Everything here is a frozen dataclass, built from plain mappings (parsed JSON or TOML) by
:func:`parse_intake`, :func:`findings_from_frontal` and :func:`findings_from_dynamics` (their documents are
typed in :mod:`facebalance.planning.documents`). Nothing here reads files: the CLI does.

Parsing checks the *form* of every field (types, numbers finite and in range, no unknown keys) and raises
:class:`~facebalance.planning.errors.IntakeError` naming the field and the fix; the ids an entry must match
(finding ids, allergies, concern tags...) are checked against the clinical data by
:func:`facebalance.planning.checks.check_intake`, which names the closest known value.

``left``/``right`` in finding ids are the patient's sides. Dates are ISO ``YYYY-MM-DD``; the plan's
``start_date`` is the planner's clock (it never reads today's date itself).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, cast

from facebalance.planning.documents import DynamicFindingRow
from facebalance.planning.errors import IntakeError
from facebalance.planning.vocabulary import as_id, did_you_mean

FindingSource = Literal["frontal", "profile", "dynamic", "session", "clinician"]
Severity = Literal["mild", "moderate", "marked"]
BudgetBasis = Literal["high", "mid"]
Sex = Literal["female", "male"]
Modality = Literal["toxin", "ha", "plla", "caha", "hyaluronidase"]

INTAKE_SCHEMA = "facebalance.intake"
INTAKE_SCHEMA_VERSION = "1.1"
FRONTAL_SCHEMA = "facebalance.frontal_analysis"
SESSION_SCHEMA = "facebalance.session_assessment"

_SOURCES: tuple[FindingSource, ...] = ("frontal", "profile", "dynamic", "session", "clinician")
_SEVERITIES: tuple[Severity, ...] = ("mild", "moderate", "marked")
SEXES: tuple[Sex, ...] = ("female", "male")
_MODALITIES: tuple[Modality, ...] = ("toxin", "ha", "plla", "caha", "hyaluronidase")
#: The unit each modality's history amounts are recorded in.
HISTORY_UNITS: Mapping[str, str] = {"toxin": "U", "ha": "mL", "plla": "vial", "caha": "mL", "hyaluronidase": "U"}
#: A person's age in whole years is at most this (a bound on what can be typed, not a clinical limit).
MAX_AGE_YEARS = 120


@dataclass(frozen=True)
class FindingInput:
    """A finding the planner can act on, from any analysis or from the clinician.

    Parameters
    ----------
    id : str
        Stable id. Frontal findings keep their analysis ids (``chin_height_mm_below``,
        ``lips_vs_chin_short_chin``); profile, dynamic and clinician findings are prefixed with their
        source (``profile.recessed_chin``, ``dynamic.dao_pull_strong``); the engines' own ids for the same
        facts (``profile_recessed_chin``) are read as these (``data/findings.toml``). docs/planning.md lists them.
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
    """The medical part of the intake. List fields hold lower-case ids (``"aminoglycoside"``); the ``*_other``
    fields hold free text the rules do not read (shown to the clinician)."""

    pregnant: bool = False
    breastfeeding: bool = False
    anticoagulants: bool = False
    keloid_history: bool = False
    herpes_labialis_history: bool = False
    autoimmune_active: bool = False
    implanted_electronic_device: bool = False
    bleeding_disorder: bool = False
    skin_type_fitzpatrick: int | None = None
    allergies: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    neuromuscular_conditions: tuple[str, ...] = ()
    autoimmune_conditions: tuple[str, ...] = ()
    active_infection_areas: tuple[str, ...] = ()
    allergies_other: tuple[str, ...] = ()
    medications_other: tuple[str, ...] = ()

    def field_value(self, name: str) -> bool | int | tuple[str, ...] | None:
        """A field by name, for the contraindication rows of ``safety.toml``."""
        if name not in self.__dataclass_fields__ or name.endswith("_other"):
            raise KeyError(name)
        return cast("bool | int | tuple[str, ...] | None", getattr(self, name))


#: The medical fields that hold ids (checked against the vocabulary); the other list fields hold free text.
ID_LIST_FIELDS = ("allergies", "medications", "active_infection_areas")


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
    """A clinician's documented decision to go past a gate (a positive BDDQ-AS, a patient-selection hold, HA
    without hyaluronidase, a non-reversible product), with the written reason; ``treatment`` names the product
    a ``non_reversible_product`` choice is for."""

    clinician: str
    reason: str
    treatment: str = ""


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
    """Everything the patient and clinician record before planning.

    ``overrides`` are the clinician's documented decisions by gate (``patient_selection``,
    ``ha_without_hyaluronidase``, ``non_reversible_product``); ``concerns_other`` and ``findings_other`` are
    free text kept apart from the rules (shown to the clinician).
    """

    start_date: date
    age_years: int | None = None
    sex: Sex | None = None
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
    overrides: Mapping[str, ClinicianOverride] = field(default_factory=dict)
    concerns_other: tuple[str, ...] = ()
    findings_other: tuple[str, ...] = ()

    @property
    def concern_areas(self) -> frozenset[str]:
        return frozenset(c.area for c in self.concerns)


# --- parsing: the form of each field ------------------------------------------------------------------------

INTAKE_FIELDS = (
    "schema",
    "schema_version",
    "start_date",
    "patient",
    "goals",
    "concerns",
    "concerns_other",
    "requested_treatments",
    "grades",
    "findings",
    "findings_other",
    "measurements",
    "history",
    "medical",
    "lifestyle",
    "bddq_as",
    "bddq_as_override",
    "expectations",
    "preferences",
    "overrides",
)
_PATIENT_KEYS = ("id", "age_years", "sex", "new_patient")
_FINDING_KEYS = ("id", "zone", "severity", "source", "values", "sentence")
_HISTORY_KEYS = (
    "date",
    "modality",
    "area",
    "amount",
    "unit",
    "product",
    "clinic",
    "satisfied",
    "disliked",
    "movement_returned_weeks",
)
_PREFERENCE_KEYS = ("budget_usd", "budget_basis", "max_visits", "prefers_gradual", "lip_upper_share")
_OVERRIDE_KEYS = ("clinician", "reason", "treatment")
_BDDQ_KEYS = ("q1", "q2", "q3", "q4", "q5", "q6", "q7")


def _known_keys(doc: Mapping[str, Any], known: Sequence[str], where: str) -> None:
    """Refuse a key the section does not have (a typo such as ``alergies`` would drop what it holds)."""
    for key in doc:
        if key not in known:
            at = f"{where}.{key}" if where else str(key)
            raise IntakeError(
                f"Unknown {where or 'intake'} field {at!r}.{did_you_mean(str(key), known)}",
                hint=f"The fields{' of ' + where if where else ''} are: {', '.join(known)}.",
            )


def _object(value: Any, where: str, example: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise IntakeError(f"{where} = {value!r} must be an object.", hint=f"Write it as {example}.")
    return value


def _list(value: Any, where: str, example: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise IntakeError(f"{where} = {value!r} must be a list.", hint=f"Write it as {example}.")
    return value


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise IntakeError(f"{where} = {value!r} must be text.", hint=f'Write {where} as a string in quotes, e.g. "".')
    return value


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise IntakeError(f"{where} = {value!r} is not a date.", hint="Write dates as YYYY-MM-DD.") from None


def _strs(value: Any, where: str, *, example: str = '["aminoglycoside"]') -> tuple[str, ...]:
    items = _list(value, where, example)
    for n, v in enumerate(items):
        if not isinstance(v, str) or not v.strip():
            raise IntakeError(f"{where}[{n}] = {v!r} must be non-empty text.", hint=f"Example: {example}.")
    return tuple(items)


def _ids(value: Any, where: str, *, example: str = '["aminoglycoside"]') -> tuple[str, ...]:
    # "Bee venom", "bee-venom" and "bee_venom" are one id: the rows of safety.toml use snake_case.
    return tuple(as_id(v) for v in _strs(value, where, example=example))


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise IntakeError(f"{where} = {value!r} must be true or false.", hint=f"Write {where} as true or false.")
    return value


def _number(value: Any, where: str, *, low: float = -math.inf, high: float = math.inf, fix: str = "") -> float:
    """A finite number within ``[low, high]`` (JSON's NaN and Infinity are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise IntakeError(f"{where} = {value!r} is not a number.", hint=fix or f"Write {where} as a plain number.")
    if not low <= value <= high:
        raise IntakeError(f"{where} = {value!r} is out of range.", hint=fix or f"Use {low:g} to {high:g}.")
    return float(value)


def _whole(value: Any, where: str, *, low: int, high: int, fix: str) -> int:
    """A whole number within ``[low, high]`` (``34.0`` is 34; ``34.5``, ``"thirty"`` and ``true`` are refused)."""
    number = _number(value, where, fix=fix)
    if number != int(number) or not low <= number <= high:
        raise IntakeError(f"{where} = {value!r} must be a whole number from {low} to {high}.", hint=fix)
    return int(number)


def _likert(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise IntakeError(f"{where} = {value!r} must be 1 (not at all) to 5 (extremely).", hint="Rate it 1 to 5.")
    return value


def _values(value: Any, where: str) -> dict[str, float]:
    doc = _object(value, where, '{"chin_height_mm": 21.0}')
    return {
        str(k): _number(v, f"{where}.{k}", fix="Each value is a number in the unit its id names.")
        for k, v in doc.items()
    }


def _finding(row: Any, where: str) -> FindingInput:
    doc = _object(row, where, '{"id": "profile.recessed_chin", "severity": "moderate"}')
    _known_keys(doc, _FINDING_KEYS, where)
    fid = doc.get("id")
    if not isinstance(fid, str) or not fid.strip():
        raise IntakeError(
            f"{where} has no id.",
            hint="Each finding needs an id, e.g. profile.recessed_chin; free text goes in findings_other.",
        )
    severity = doc.get("severity", "moderate")
    source = doc.get("source", fid.split(".", 1)[0] if "." in fid else "clinician")
    if severity not in _SEVERITIES:
        raise IntakeError(
            f"{where}.severity = {severity!r} is not a severity.{did_you_mean(str(severity), _SEVERITIES)}",
            hint="Use mild, moderate or marked.",
        )
    if source not in _SOURCES:
        raise IntakeError(
            f"{where}.source = {source!r} is not a source.{did_you_mean(str(source), _SOURCES)}",
            hint=f"Use one of {', '.join(_SOURCES)}.",
        )
    values = _values(doc.get("values", {}), f"{where}.values")
    return FindingInput(
        fid.strip(),
        _text(doc.get("zone"), f"{where}.zone"),
        severity,
        source,
        values,
        _text(doc.get("sentence"), f"{where}.sentence"),
    )


def _history(row: Any, where: str) -> PriorTreatment:
    doc = _object(row, where, '{"date": "2026-03-10", "modality": "toxin", "area": "glabella", "amount": 20}')
    _known_keys(doc, _HISTORY_KEYS, where)
    modality = doc.get("modality")
    if modality not in _MODALITIES:
        raise IntakeError(
            f"{where}.modality = {modality!r} is not a modality.{did_you_mean(str(modality), _MODALITIES)}",
            hint=f"Use one of {', '.join(_MODALITIES)}.",
        )
    unit = doc.get("unit", HISTORY_UNITS[modality])
    if unit != HISTORY_UNITS[modality]:
        raise IntakeError(
            f"{where}.unit = {unit!r}; {modality} is recorded in {HISTORY_UNITS[modality]}.",
            hint="Convert the amount (e.g. HA syringes of 1 mL -> mL).",
        )
    area = doc.get("area")
    if not isinstance(area, str) or not area.strip():
        raise IntakeError(f"{where}.area = {area!r}: every earlier treatment names its area.", hint="e.g. lips.")
    amount = _number(
        doc.get("amount", 0.0), f"{where}.amount", low=0.0, fix=f"The amount in {HISTORY_UNITS[modality]}, 0 or more."
    )
    returned = doc.get("movement_returned_weeks")
    satisfied = doc.get("satisfied")
    return PriorTreatment(
        date=_date(doc.get("date"), f"{where}.date"),
        modality=modality,
        area=as_id(area),
        amount=amount,
        product=_text(doc.get("product"), f"{where}.product"),
        clinic=_text(doc.get("clinic"), f"{where}.clinic"),
        satisfied=None if satisfied is None else _bool(satisfied, f"{where}.satisfied"),
        disliked=_bool(doc.get("disliked", False), f"{where}.disliked"),
        movement_returned_weeks=None
        if returned is None
        else _number(returned, f"{where}.movement_returned_weeks", low=0.1, high=104, fix="Weeks, e.g. 14."),
    )


def _medical(value: Any) -> MedicalHistory:
    doc = _object(value, "medical", '{"pregnant": false, "allergies": []}')
    known = MedicalHistory.__dataclass_fields__
    _known_keys(doc, tuple(known), "medical")
    kwargs: dict[str, Any] = {}
    for name, v in doc.items():
        where = f"medical.{name}"
        if name == "skin_type_fitzpatrick":
            kwargs[name] = None if v is None else _whole(v, where, low=1, high=6, fix="Fitzpatrick skin type 1 to 6.")
        elif isinstance(known[name].default, bool):
            kwargs[name] = _bool(v, where)
        elif name in ID_LIST_FIELDS:
            kwargs[name] = _ids(v, where)
        else:
            kwargs[name] = tuple(s.strip() for s in _strs(v, where, example='["penicillin rash as a child"]'))
    return MedicalHistory(**kwargs)


def _bddq(value: Any) -> BddqAs:
    doc = _object(value, "bddq_as", '{"q1": true, "q2": false, "q3": 1, ...}')
    _known_keys(doc, _BDDQ_KEYS, "bddq_as")
    missing = [q for q in _BDDQ_KEYS if q not in doc]
    if missing:
        raise IntakeError(
            f"BDDQ-AS item {missing[0]} is missing.", hint="Record all seven items (q1-q7) or omit bddq_as."
        )
    return BddqAs(
        q1_concerned=_bool(doc["q1"], "bddq_as.q1"),
        q2_preoccupied=_bool(doc["q2"], "bddq_as.q2"),
        q3_distress=_likert(doc["q3"], "bddq_as.q3"),
        q4_social=_likert(doc["q4"], "bddq_as.q4"),
        q5_work_school=_likert(doc["q5"], "bddq_as.q5"),
        q6_avoidance=_likert(doc["q6"], "bddq_as.q6"),
        q7_impairment=_bool(doc["q7"], "bddq_as.q7"),
    )


def _override(value: Any, where: str) -> ClinicianOverride:
    doc = _object(value, where, '{"clinician": "Dr A. Smith", "reason": "..."}')
    _known_keys(doc, _OVERRIDE_KEYS, where)
    return ClinicianOverride(
        _text(doc.get("clinician"), f"{where}.clinician"),
        _text(doc.get("reason"), f"{where}.reason"),
        _text(doc.get("treatment"), f"{where}.treatment"),
    )


def _preferences(value: Any) -> Preferences:
    doc = _object(value, "preferences", '{"budget_usd": 6000, "max_visits": 3}')
    _known_keys(doc, _PREFERENCE_KEYS, "preferences")
    basis = doc.get("budget_basis", "high")
    if basis not in ("high", "mid"):
        raise IntakeError(
            f"preferences.budget_basis = {basis!r}.{did_you_mean(str(basis), ('high', 'mid'))}", hint="Use high or mid."
        )
    max_visits = doc.get("max_visits")
    budget = doc.get("budget_usd")
    share = doc.get("lip_upper_share")
    return Preferences(
        budget_usd=None
        if budget is None
        else _number(budget, "preferences.budget_usd", low=0, fix="A number of dollars (e.g. 4000), or leave it out."),
        budget_basis=basis,
        max_visits=None
        if max_visits is None
        else _whole(max_visits, "preferences.max_visits", low=1, high=6, fix="Use 1 to 6 (2-4 is typical)."),
        prefers_gradual=_bool(doc.get("prefers_gradual", False), "preferences.prefers_gradual"),
        lip_upper_share=None
        if share is None
        else _number(share, "preferences.lip_upper_share", low=0.0, high=1.0, fix="A fraction from 0 to 1."),
    )


def _concerns(value: Any) -> tuple[Concern, ...]:
    out = []
    for i, c in enumerate(_list(value, "concerns", '[{"area": "lips", "text": "too thin"}]')):
        where = f"concerns[{i}]"
        if isinstance(c, str) and c.strip():
            out.append(Concern(as_id(c)))
            continue
        doc = _object(c, where, '{"area": "lips", "text": "too thin"}')
        _known_keys(doc, ("area", "text"), where)
        area = doc.get("area")
        if not isinstance(area, str) or not area.strip():
            raise IntakeError(
                f"{where} has no area.",
                hint='Tag it, e.g. {"area": "lips", "text": "too thin"}; an untagged concern goes in concerns_other.',
            )
        out.append(Concern(as_id(area), _text(doc.get("text"), f"{where}.text")))
    return tuple(out)


def _grades(value: Any) -> dict[str, int]:
    doc = _object(value, "grades", '{"chin_retrusion": 2}')
    out: dict[str, int] = {}
    for name, v in doc.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v != int(v):
            raise IntakeError(f"grades.{name} = {v!r} must be a whole-number grade.", hint="e.g. 2.")
        out[str(name)] = int(v)
    return out


def _patient(value: Any) -> tuple[int | None, Sex | None, bool]:
    doc = _object(value, "patient", '{"age_years": 34, "sex": "female"}')
    _known_keys(doc, _PATIENT_KEYS, "patient")
    age = doc.get("age_years")
    sex = doc.get("sex")
    if sex is not None and sex not in SEXES:
        raise IntakeError(
            f"patient.sex = {sex!r} is not a known value.{did_you_mean(str(sex), SEXES)}",
            hint="Write female or male (it selects the dosing), or leave it out if not recorded.",
        )
    years = None
    if age is not None:
        years = _whole(
            age, "patient.age_years", low=0, high=MAX_AGE_YEARS, fix="The age in whole years, e.g. 34 (0 to 120)."
        )
    return years, sex, _bool(doc.get("new_patient", True), "patient.new_patient")


def parse_intake(doc: Mapping[str, Any]) -> Intake:
    """The intake from its JSON/TOML form (schema ``facebalance.intake`` 1.x, see docs/planning.md).

    Every field's form is checked here (types, finite numbers in range, no unknown keys); the ids are checked
    against the clinical data when the plan is made (:func:`facebalance.planning.checks.check_intake`).

    Raises
    ------
    IntakeError
        With the field that is wrong and how to fix it.

    Examples
    --------
    >>> intake = parse_intake({"start_date": "2026-12-01", "concerns": [{"area": "lips", "text": "thin"}]})
    >>> intake.start_date.isoformat(), sorted(intake.concern_areas)
    ('2026-12-01', ['lips'])
    >>> try:
    ...     parse_intake({"start_date": "2026-12-01", "patient": {"sex": "M"}})
    ... except IntakeError as exc:
    ...     print(exc.message)
    patient.sex = 'M' is not a known value. Did you mean 'male'?
    """
    if not isinstance(doc, Mapping):
        raise IntakeError("The intake is not an object.", hint="Write the intake as a JSON object or a TOML table.")
    schema = doc.get("schema", INTAKE_SCHEMA)
    if schema != INTAKE_SCHEMA:
        raise IntakeError(f"This is a {schema!r} document, not an intake.", hint=f"Pass a {INTAKE_SCHEMA} file.")
    version = str(doc.get("schema_version", INTAKE_SCHEMA_VERSION))
    if version.split(".")[0] != INTAKE_SCHEMA_VERSION.split(".")[0]:
        raise IntakeError(
            f"Intake schema version {version} is not supported.", hint=f"Write version {INTAKE_SCHEMA_VERSION}."
        )
    _known_keys(doc, INTAKE_FIELDS, "")
    if "start_date" not in doc:
        raise IntakeError("The intake has no start_date.", hint="Add start_date = the consultation date, YYYY-MM-DD.")
    age, sex, new_patient = _patient(doc.get("patient", {}))
    lifestyle = _object(doc.get("lifestyle", {}), "lifestyle", '{"high_exercise": false}')
    _known_keys(lifestyle, ("high_exercise",), "lifestyle")
    override = doc.get("bddq_as_override")
    overrides = _object(
        doc.get("overrides", {}), "overrides", '{"patient_selection": {"clinician": ..., "reason": ...}}'
    )
    measurements = _object(doc.get("measurements", {}), "measurements", '{"profile.lower_lip_to_e_line_mm": -3.5}')
    return Intake(
        start_date=_date(doc["start_date"], "start_date"),
        age_years=age,
        sex=sex,
        new_patient=new_patient,
        goals=_text(doc.get("goals"), "goals"),
        concerns=_concerns(doc.get("concerns")),
        requested_treatments=_ids(doc.get("requested_treatments"), "requested_treatments", example='["ha_lips"]'),
        grades=_grades(doc.get("grades", {})),
        findings=tuple(
            _finding(r, f"findings[{i}]")
            for i, r in enumerate(_list(doc.get("findings"), "findings", '[{"id": "profile.recessed_chin"}]'))
        ),
        measurements={
            str(k): _number(v, f"measurements.{k}", fix="A number in the unit its id names (mm, deg).")
            for k, v in measurements.items()
        },
        history=tuple(
            _history(r, f"history[{i}]")
            for i, r in enumerate(_list(doc.get("history"), "history", '[{"date": ..., "modality": "toxin", ...}]'))
        ),
        medical=_medical(doc.get("medical", {})),
        high_exercise=_bool(lifestyle.get("high_exercise", False), "lifestyle.high_exercise"),
        bddq_as=None if doc.get("bddq_as") is None else _bddq(doc["bddq_as"]),
        bddq_as_override=None if override is None else _override(override, "bddq_as_override"),
        expectations=_ids(doc.get("expectations"), "expectations", example='["permanent_result"]'),
        preferences=_preferences(doc.get("preferences", {})),
        overrides={str(gate): _override(v, f"overrides.{gate}") for gate, v in overrides.items()},
        concerns_other=_strs(doc.get("concerns_other"), "concerns_other", example='["my smile feels lopsided"]'),
        findings_other=_strs(doc.get("findings_other"), "findings_other", example='["scar on the left cheek"]'),
    )


# --- the analyses' documents ----------------------------------------------------------------------------------


def assessment_sex(doc: Mapping[str, Any]) -> Sex | None:
    """The sex whose norms an analysis document was measured against (``patient.sex``), if it names one."""
    patient = doc.get("patient")
    sex = patient.get("sex") if isinstance(patient, Mapping) else None
    return sex if sex in SEXES else None


def _document_number(value: Any) -> float | None:
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        else None
    )


def findings_from_frontal(doc: Mapping[str, Any]) -> tuple[tuple[FindingInput, ...], dict[str, float]]:
    """The findings and measurement values of a frontal analysis document (``facebalance analyze --json``).

    Findings the clinician marked ``"rejected"`` are left out. Returns ``(findings, measurements)`` where
    ``measurements`` maps every measured id (``upper_vermilion_height_mm``...) to its value.

    Raises
    ------
    IntakeError
        If the document is not a frontal analysis, or a finding or measurement in it is malformed.
    """
    if not isinstance(doc, Mapping) or doc.get("schema") != FRONTAL_SCHEMA:
        schema = doc.get("schema") if isinstance(doc, Mapping) else None
        raise IntakeError(
            f"The assessment is a {schema!r} document, not a frontal analysis.",
            hint="Pass the JSON written by `facebalance analyze PHOTO --json FILE`.",
        )
    measured = _measured(doc)
    findings = _findings_of(doc, measured, lambda _entry: "frontal")
    return findings, measured


def _measured(doc: Mapping[str, Any]) -> dict[str, float]:
    measured: dict[str, float] = {}
    raw = doc.get("measurements", {})
    for mid, m in _object(raw, "assessment measurements", '{"chin_height_mm": {"value": 21.0}}').items():
        value = _document_number(m.get("value")) if isinstance(m, Mapping) else None
        if value is not None:
            measured[str(mid)] = value
    return measured


def _findings_of(
    doc: Mapping[str, Any], measured: Mapping[str, float], source_of: Callable[[Mapping[str, Any]], FindingSource]
) -> tuple[FindingInput, ...]:
    """The findings rows of an assessment document (frontal or session), each with its source."""
    findings = []
    rows = _list(doc.get("findings", []), "assessment findings", '[{"id": "chin_height_mm_below", ...}]')
    for n, row in enumerate(rows):
        where = f"assessment findings[{n}]"
        entry = _object(row, where, '{"id": "chin_height_mm_below", "severity": "mild"}')
        if entry.get("status") == "rejected":
            continue
        fid = entry.get("id")
        if not isinstance(fid, str) or not fid.strip():
            raise IntakeError(f"{where} has no id.", hint="Re-run `facebalance analyze` or restore the finding's id.")
        zones = entry.get("zones") or ["proportions"]
        zone = zones[0] if isinstance(zones, list) and zones else "proportions"
        ids = entry.get("measurements", [])
        values = {m: measured[m] for m in (ids if isinstance(ids, list) else []) if m in measured}
        severity = entry.get("severity", "mild")
        findings.append(
            FindingInput(
                id=fid.strip(),
                zone=str(zone),
                severity=severity if severity in _SEVERITIES else "mild",
                source=source_of(entry),
                values=values,
                sentence=str(entry.get("sentence", "")),
            )
        )
    return tuple(findings)


def _session_source(entry: Mapping[str, Any]) -> FindingSource:
    """Where a session finding came from: a cross-view rule, the dynamic assessment, a profile or the front."""
    fid = str(entry.get("id", ""))
    views = entry.get("views") if isinstance(entry.get("views"), list) else []
    if fid.startswith("session."):
        return "session"
    if fid.startswith("dynamic.") or entry.get("kind") in ("movement", "compensation"):
        return "dynamic"
    if views and all(str(v).startswith("profile") for v in views):
        return "profile"
    return "frontal"


def findings_from_session(doc: Mapping[str, Any]) -> tuple[tuple[FindingInput, ...], dict[str, float]]:
    """The findings and measurement values of a session assessment (``facebalance assess --json``).

    Every finding of the session (each view's, and the cross-view ``session.*`` ones, source ``session``)
    becomes a planner finding; the measurements are every analysed view's (the frontal photo's first).
    Findings the clinician marked ``"rejected"`` are left out.

    Raises
    ------
    IntakeError
        If the document is not a session assessment, or a finding or measurement in it is malformed.

    Examples
    --------
    >>> doc = {"schema": SESSION_SCHEMA, "views": [], "findings": [
    ...     {"id": "session.chin_before_lips", "zones": ["lower_face"], "severity": "moderate", "views": []}]}
    >>> (f,), _ = findings_from_session(doc)
    >>> f.id, f.source, f.zone, f.severity
    ('session.chin_before_lips', 'session', 'lower_face', 'moderate')
    """
    if not isinstance(doc, Mapping) or doc.get("schema") != SESSION_SCHEMA:
        schema = doc.get("schema") if isinstance(doc, Mapping) else None
        raise IntakeError(
            f"The assessment is a {schema!r} document, not a session assessment.",
            hint="Pass the JSON written by `facebalance assess PHOTOS --json FILE`.",
        )
    measured: dict[str, float] = {}
    views = _list(doc.get("views", []), "session views", '[{"view_id": "frontal_rest", "document": {...}}]')
    for n, view in enumerate(views):
        entry = _object(view, f"session views[{n}]", '{"view_id": "frontal_rest", "document": {...}}')
        document = entry.get("document")
        if isinstance(document, Mapping):
            for mid, value in _measured(document).items():
                measured.setdefault(mid, value)
    return _findings_of(doc, measured, _session_source), measured


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
        value = _document_number(row.get("value"))
        metrics = [str(m) for m in row.get("measurements", [])]
        values = {metrics[0]: value} if metrics and value is not None else {}
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
