"""Each zone says which of the views it needs was not usable, and why: missing, skipped with the clinic's
reason, or refused with the domain error's message and hint (pure: ``assemble_zones`` over view results)."""

from __future__ import annotations

from facebalance.assess.result import SessionFinding, ViewResult
from facebalance.assess.zones import assemble_zones, load_zone_map
from facebalance.findings import Finding
from facebalance.zones.base import Zone


def _views(**status: tuple[str, str]) -> list[ViewResult]:
    ids = ["frontal_rest", "frontal_smile", "oblique_left", "oblique_right", "profile_left", "profile_right"]
    return [ViewResult(v, *status.get(v, ("analysed", "")), f"{v}.jpg") for v in ids]


def test_a_missing_left_oblique_is_not_assessed_in_the_zones_that_need_it() -> None:
    views = [v for v in _views() if v.view_id != "oblique_left"]
    zones = {z.zone: z for z in assemble_zones(views, [], load_zone_map())}
    line = "not assessed: no usable left oblique photo (no photo of this view)"
    for zone in ("upper_face", "midface", "lower_face"):
        assert line in zones[zone].not_assessed
        assert "oblique_left" not in zones[zone].views
    assert zones["profile"].not_assessed == ()


def test_a_skipped_view_keeps_its_reason_and_a_refused_one_its_error() -> None:
    views = _views(
        oblique_left=("skipped", "patient declined"),
        profile_right=("refused", "The photo is a frontal view, not a profile. Give a lateral photo."),
    )
    zones = {z.zone: z for z in assemble_zones(views, [], load_zone_map())}
    assert "not assessed: no usable left oblique photo (skipped: patient declined)" in zones["midface"].not_assessed
    assert zones["profile"].not_assessed == (
        "not assessed: no usable right profile photo (refused: The photo is a frontal view, not a profile. Give a "
        "lateral photo.)",
    )


def test_a_finding_goes_to_the_zones_of_its_data_row() -> None:
    def finding(fid: str, kind: str, zones: tuple[Zone, ...], measurements: tuple[str, ...]) -> SessionFinding:
        f = Finding(fid, kind, zones, measurements, 1.0, 0.1, "mm", "", "", 0.0, "mild", True, "", ())  # type: ignore[arg-type]
        return SessionFinding(f, ("frontal_rest",))

    placed = {
        z.zone: [f.finding.id for f in z.findings]
        for z in assemble_zones(
            _views(),
            [
                finding(
                    "upper_to_middle_third_ratio_above", "norm", (Zone.PROPORTIONS,), ("upper_to_middle_third_ratio",)
                ),
                finding("chin_deviation_mm_noticeable", "asymmetry", (Zone.SYMMETRY,), ("chin_deviation_mm",)),
                finding("jaw_vs_cheekbones_wide_jaw", "relationship", (Zone.LOWER_FACE, Zone.MIDFACE), ()),
                finding("dynamic.dao_pull_strong", "movement", (Zone.LOWER_FACE,), ("commissure_depression_mm",)),
            ],
            load_zone_map(),
        )
    }
    assert placed["upper_face"] == ["upper_to_middle_third_ratio_above"]
    assert placed["symmetry_dynamics"] == ["chin_deviation_mm_noticeable", "dynamic.dao_pull_strong"]
    assert placed["midface"] == placed["lower_face"] == ["jaw_vs_cheekbones_wide_jaw"]
