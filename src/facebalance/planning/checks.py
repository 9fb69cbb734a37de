"""The intake's ids checked against the clinical data: every unknown id is an error naming the closest.

:func:`~facebalance.planning.intake.parse_intake` checks the form of each field; :func:`check_intake` checks
that each id means something to the rules: concern tags, requested treatments, grades, finding ids,
measurement ids, history areas, allergies, medications, infection areas, expectations and override gates.
A typo in a safety field ("hyaluronidaze") would otherwise be silently ignored, so it is refused with the
closest known value; what fits no id goes in the free-text fields (kept apart, shown to the clinician).
"""

from __future__ import annotations

from collections.abc import Iterable

from facebalance.planning.content import PlanningData
from facebalance.planning.errors import IntakeError
from facebalance.planning.intake import Intake
from facebalance.planning.safety import check_override
from facebalance.planning.scales import validate_grades
from facebalance.planning.vocabulary import did_you_mean

#: The treatment id of the dissolving enzyme: planned by the corrective rule, never requested.
_DISSOLVE = "hyaluronidase"


def known_concerns(data: PlanningData) -> frozenset[str]:
    """The concern tags a rule row serves (``gradual`` is the intake's ``prefers_gradual``, not a tag)."""
    return frozenset(a for row in data.rules.indications for a in row.concerns) - {"gradual"}


def _refuse(where: str, value: str, what: str, known: Iterable[str], fix: str) -> IntakeError:
    options = sorted(set(known))
    shown = ", ".join(options[:40]) + (", ..." if len(options) > 40 else "")
    return IntakeError(
        f"Unknown {what} {value!r} ({where}).{did_you_mean(value, options)}", hint=f"{fix} Known: {shown}."
    )


def _field_ids(data: PlanningData, field: str) -> set[str]:
    """The ids the contraindication rows read from one medical field."""
    return {v for row in data.safety.contraindications if row.field == field for v in row.any_of}


def known_allergies(data: PlanningData) -> frozenset[str]:
    """Every id ``medical.allergies`` may hold: the contraindication rows', the vocabulary's and "none"."""
    return frozenset(_field_ids(data, "allergies") | data.vocabulary.allergies | data.vocabulary.nothing)


def known_medications(data: PlanningData) -> frozenset[str]:
    """Every id ``medical.medications`` may hold: the contraindication rows', the vocabulary's and "none"."""
    return frozenset(_field_ids(data, "medications") | set(data.vocabulary.medication_class) | data.vocabulary.nothing)


def _each(values: Iterable[str], field: str, noun: str, known: Iterable[str], fix: str) -> None:
    """Refuse the first of ``values`` not in ``known``; ``field`` names where it is (``{n}`` its index)."""
    options = set(known)
    for n, value in enumerate(values):
        if value not in options:
            raise _refuse(field.replace("{n}", str(n)), value, noun, options, fix)


def check_intake(intake: Intake, data: PlanningData) -> None:
    """Refuse any id of the intake the rules do not know, naming the field and the closest known value.

    Raises
    ------
    IntakeError
        The first unknown id, with the field (``medical.allergies[0]``), the closest known value and where
        free text goes instead.
    """
    vocab, medical, areas = data.vocabulary, intake.medical, data.catalog.areas
    free = "(free text, shown to the clinician, not checked against the products)"
    _each(
        (c.area for c in intake.concerns),
        "concerns[{n}].area",
        "concern tag",
        known_concerns(data),
        "Tag the concern with a known area, or write it in words in concerns_other.",
    )
    _each(
        intake.requested_treatments,
        "requested_treatments[{n}]",
        "treatment",
        (t for t in data.catalog.treatments if t != _DISSOLVE),
        "Use a catalogue id.",
    )
    validate_grades(intake.grades, data.scales)
    _each(
        (f.id for f in intake.findings),
        "findings[{n}].id",
        "finding id",
        vocab.findings,
        "Use a finding id of docs/planning.md, or describe the finding in findings_other (free text, shown to the "
        "clinician, not read by the rules).",
    )
    for mid in intake.measurements:
        if mid not in vocab.measurements:
            raise _refuse(
                f"measurements.{mid}",
                mid,
                "measurement",
                vocab.measurements,
                "Use the id of a measurement the lip guard reads.",
            )
    _each((t.area for t in intake.history), "history[{n}].area", "area", areas, "Use an area id.")
    _each(
        medical.allergies,
        "medical.allergies[{n}]",
        "allergy",
        known_allergies(data),
        f"Correct the spelling, or record it in medical.allergies_other {free}.",
    )
    _each(
        medical.medications,
        "medical.medications[{n}]",
        "medication",
        known_medications(data),
        f"Correct the spelling, or record it in medical.medications_other {free}.",
    )
    _each(
        medical.active_infection_areas,
        "medical.active_infection_areas[{n}]",
        "area",
        areas,
        "Name the area of the infection.",
    )
    _each(
        intake.expectations,
        "expectations[{n}]",
        "expectation",
        data.safety.expectations,
        "Tick a known expectation; write anything else in goals.",
    )
    _check_overrides(intake, data)


def _check_overrides(intake: Intake, data: PlanningData) -> None:
    gates = data.safety.overrides.gates
    for gate, override in intake.overrides.items():
        if gate not in gates:
            raise _refuse(f"overrides.{gate}", gate, "override gate", gates, "Use a gate id.")
        check_override(override, f"overrides.{gate}", data.safety.overrides.min_reason_chars)
        if gate == "non_reversible_product":
            irreversible = [
                t.id
                for t in data.catalog.treatments.values()
                if not data.catalog.modality_of(t).reversible and data.catalog.modality_of(t).kind == "filler"
            ]
            if override.treatment not in irreversible:
                raise _refuse(
                    f"overrides.{gate}.treatment",
                    override.treatment,
                    "non-reversible filler",
                    irreversible,
                    "Name the product the clinician chooses.",
                )
