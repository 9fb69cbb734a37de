"""Known answers: a measurement's mirror partner swaps the patient's sides, and the signed left-minus-right
and midline values of the symmetry zone change sign while every other value stays."""

from __future__ import annotations

from facebalance.evaluation.mirror import mirrored_value, swap_sides
from facebalance.zones.base import Measurement, Unit, Zone


def test_it_swaps_left_and_right_in_ids() -> None:
    assert swap_sides("palpebral_fissure_width_left_mm") == "palpebral_fissure_width_right_mm"
    assert swap_sides("lateral_brow_drop_right_mm_above") == "lateral_brow_drop_left_mm_above"
    assert swap_sides("alar_width_mm") == "alar_width_mm"


def test_it_negates_only_signed_symmetry_values() -> None:
    signed = Measurement("nasal_tip_deviation_mm", Zone.SYMMETRY, 1.5, 0.3, Unit.MM, "tip", ())
    width = Measurement("alar_width_mm", Zone.MIDFACE, 35.0, 1.0, Unit.MM, "alar", ())
    missing = Measurement("upper_third_mm", Zone.PROPORTIONS, None, None, Unit.MM, "upper", ())
    assert mirrored_value(signed) == -1.5
    assert mirrored_value(width) == 35.0
    assert mirrored_value(missing) is None
