"""Named patients with dated treatment histories for the records tests.

Dana (patient id ``DANA``): lips filled 1.0 mL in 2021, 2023 and 2025, chin 1.5 mL in 2024, glabellar
toxin every four months since 2025 with her answers "movement returned after 10 / 11 / 12 weeks".
Eli: lips filled in 2022 and dissolved in 2024 (the dissolved HA no longer counts).
"""

from __future__ import annotations

import uuid
from datetime import date

from facebalance.records.treatments import AdverseEvent, FollowUp, InjectionSite, TreatmentRecord

DANA = "0b1c2d3e-0000-4000-8000-00000000da7a"
ELI = "0b1c2d3e-0000-4000-8000-0000000000e1"


def _id(n: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"facebalance-test:{n}"))


def lips(on: date, ml: float, patient: str = DANA, **kw: object) -> TreatmentRecord:
    half = round(ml / 2, 2)
    sites = (
        InjectionSite("upper_lip", 100, 177, half, "subcutaneous", "needle"),
        InjectionSite("lower_lip", 100, 191, round(ml - half, 2), "subcutaneous", "cannula"),
    )
    return TreatmentRecord(
        _id(f"{patient}lips{on}"),
        patient,
        on,
        "ha",
        "lips",
        "Restylane Kysse",
        "LK1234",
        date(on.year + 2, 1, 31),
        sites=sites,
        clinician="Dr Rowe",
        **kw,
    )  # type: ignore[arg-type]


def chin(on: date, ml: float, patient: str = DANA) -> TreatmentRecord:
    sites = (InjectionSite("pogonion", 100, 222, ml, "supraperiosteal", "needle"),)
    return TreatmentRecord(
        _id(f"{patient}chin{on}"),
        patient,
        on,
        "ha",
        "chin",
        "Juvederm Volux",
        "VX77",
        date(on.year + 2, 6, 30),
        sites=sites,
    )


def glabella(on: date, returned_weeks: float | None, patient: str = DANA) -> TreatmentRecord:
    sites = (
        InjectionSite("procerus", 100, 93, 4.0, "intramuscular", "needle"),
        InjectionSite("corrugator_right", 86, 86, 8.0, "intramuscular", "needle"),
        InjectionSite("corrugator_left", 114, 86, 8.0, "intramuscular", "needle"),
    )
    follow = (FollowUp(on.replace(day=min(on.day + 14, 28)), None, True, "full effect"),)
    if returned_weeks is not None:
        follow += (FollowUp(date.fromordinal(on.toordinal() + int(returned_weeks * 7)), returned_weeks, True),)
    return TreatmentRecord(
        _id(f"{patient}glab{on}"),
        patient,
        on,
        "toxin",
        "glabella",
        "Botox",
        "C5512",
        date(on.year + 1, 3, 1),
        sites=sites,
        follow_ups=follow,
        adverse_events=(
            AdverseEvent("bruising", "mild", on, on.replace(day=min(on.day + 5, 28)), "arnica, reassured"),
        ),
    )


def dissolve(on: date, area: str, patient: str) -> TreatmentRecord:
    sites = (InjectionSite("upper_lip", 100, 177, 30.0, "subcutaneous", "needle"),)
    return TreatmentRecord(
        _id(f"{patient}hyal{on}"), patient, on, "hyaluronidase", area, "Hyalase", "H1", None, sites=sites
    )


def dana_history() -> tuple[TreatmentRecord, ...]:
    return (
        lips(date(2021, 3, 10), 1.0),
        lips(date(2023, 4, 2), 1.0),
        lips(date(2025, 5, 20), 1.0),
        chin(date(2024, 9, 1), 1.5),
        glabella(date(2025, 1, 6), 10),
        glabella(date(2025, 5, 5), 11),
        glabella(date(2025, 9, 8), 12),
    )


def eli_history() -> tuple[TreatmentRecord, ...]:
    return (lips(date(2022, 2, 1), 1.0, ELI), dissolve(date(2024, 6, 1), "lips", ELI))
