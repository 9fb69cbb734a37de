"""Folders are searched recursively by extension, sorted, without duplicates; hostile file names are
carried safely into the results."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from facebalance.batch import BatchError, Row, collect_photos, file_key, read_rows, run_batch

HOSTILE_NAMES = ["-rf.jpg", "line\nbreak.jpg", "=cmd|' -C calc'!A0.jpg", "CON.png", "$(reboot).webp", ".hidden.JPG"]


def name_length(path: Path) -> Row:
    return {"name_length": len(os.fsencode(path.name))}


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    (root / "b" / "deeper").mkdir(parents=True)
    (root / "a").mkdir()
    for name in HOSTILE_NAMES:
        (root / "a" / name).write_bytes(b"x")
    (root / "b" / "deeper" / "photo.HEIC").write_bytes(b"x")
    (root / "b" / "photo.jpeg").write_bytes(b"x")
    (root / "b" / "notes.txt").write_bytes(b"x")
    (root / "b" / "scan.tif").write_bytes(b"x")
    os.symlink(root, root / "b" / "loop")  # a link back up must not trap the walk
    if os.name == "posix":
        (root / "a" / os.fsdecode(b"caf\xe9.jpg")).write_bytes(b"x")  # not UTF-8
    return root


def test_it_finds_photos_by_extension_in_every_subfolder(tree: Path) -> None:
    found = collect_photos([tree])

    names = [p.name for p in found]
    assert "photo.HEIC" in names and "photo.jpeg" in names and ".hidden.JPG" in names
    assert "notes.txt" not in names and "scan.tif" not in names
    assert [file_key(p) for p in found] == sorted(file_key(p) for p in found)


def test_it_lists_each_file_once(tree: Path) -> None:
    found = collect_photos([tree, tree / "b", tree / "b" / "photo.jpeg"])

    assert len(found) == len({file_key(p) for p in found}) == len(collect_photos([tree]))


def test_it_takes_a_named_file_whatever_its_extension(tree: Path) -> None:
    assert collect_photos([tree / "b" / "notes.txt"]) == [tree / "b" / "notes.txt"]


def test_it_refuses_a_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="does not exist"):
        collect_photos([tmp_path / "missing"])


@pytest.mark.parametrize("name", ["results.csv", "results.parquet"])
def test_it_writes_hostile_names_as_plain_valid_text(tree: Path, name: str) -> None:
    files = collect_photos([tree])
    out = tree.parent / name

    summary = run_batch(files, name_length, out=out, workers=1, progress=False)

    rows = read_rows(out)
    assert summary.ok == len(files)
    assert [r["file"] for r in rows] == [file_key(f) for f in files]
    assert all(str(r["file"]).encode("utf-8") for r in rows)
    if os.name == "posix":
        assert any(str(r["file"]).endswith("caf\\xe9.jpg") for r in rows)
