"""``facebalance_integrity --sweep`` removes what interrupted uploads left only once it is older than the
documented grace period: a younger file may belong to an upload whose row is about to commit."""

from __future__ import annotations

import json
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from facebalance.clinic import photostore
from tests.clinic.clinic_records import ClinicRecords


def _file(path: Path, age_s: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"partial upload")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_young_leftovers_survive_the_sweep_and_old_ones_go(clinic_a: ClinicRecords, photo_store: Path) -> None:
    grace = photostore.ORPHAN_GRACE_S
    young_orphan = _file(photo_store / photostore.new_name(".jpg"), age_s=5)
    young_part = _file(photo_store / photostore.TMP_DIR / photostore.new_name(photostore.PART_SUFFIX), age_s=5)
    edge_orphan = _file(photo_store / photostore.new_name(".jpg"), age_s=grace - 30)
    old_orphan = _file(photo_store / photostore.new_name(".jpg"), age_s=grace + 30)
    old_part = _file(photo_store / photostore.TMP_DIR / photostore.new_name(photostore.PART_SUFFIX), age_s=grace + 30)
    out = StringIO()
    # The young files are still reported (the check is not clean) but never deleted.
    with pytest.raises(CommandError):
        call_command("facebalance_integrity", "--sweep", stdout=out)
    report = json.loads(out.getvalue())
    assert young_orphan.exists() and young_part.exists() and edge_orphan.exists()
    assert not old_orphan.exists() and not old_part.exists()
    assert report["swept"]["files_without_row"] == [old_orphan.name]
    assert report["swept"]["part_files"] == [old_part.name]
    assert sorted(report["photo_store"]["files_without_row"]) == sorted([young_orphan.name, edge_orphan.name])
    # The stored files that have rows are never touched.
    assert photostore.photo_path(clinic_a.photo.stored_name).exists()


def test_the_sweep_is_clean_once_the_grace_has_passed(clinic_a: ClinicRecords, photo_store: Path) -> None:
    _file(photo_store / photostore.new_name(".jpg"), age_s=photostore.ORPHAN_GRACE_S + 1)
    out = StringIO()
    call_command("facebalance_integrity", "--sweep", stdout=out)
    assert json.loads(out.getvalue())["photo_store"]["clean"] is True
