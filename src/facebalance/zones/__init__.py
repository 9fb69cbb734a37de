"""Pure measurement functions, one module per zone (frontal view)."""

from facebalance.zones.base import Measurement, Unit, Zone
from facebalance.zones.lower_face import measure_lower_face
from facebalance.zones.midface import measure_midface
from facebalance.zones.proportions import measure_proportions
from facebalance.zones.symmetry import measure_symmetry
from facebalance.zones.upper_face import measure_upper_face

__all__ = [
    "Measurement",
    "Unit",
    "Zone",
    "measure_lower_face",
    "measure_midface",
    "measure_proportions",
    "measure_symmetry",
    "measure_upper_face",
]
