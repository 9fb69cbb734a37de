"""The typed intake document (``IntakeDocument``) names exactly the fields the parser accepts."""

from __future__ import annotations

from typing import get_type_hints

from facebalance.planning.documents import IntakeDocument, MedicalDocument
from facebalance.planning.intake import INTAKE_FIELDS, MedicalHistory


def test_the_intake_document_names_every_field_the_parser_accepts() -> None:
    assert set(get_type_hints(IntakeDocument)) == set(INTAKE_FIELDS)


def test_the_medical_document_names_every_medical_field() -> None:
    assert set(get_type_hints(MedicalDocument)) == set(MedicalHistory.__dataclass_fields__)
