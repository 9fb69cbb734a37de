"""A session of real photos for the session-assessment tests, composed from the data sets (the same person is not
required for the pipeline): the bundled London frontal photos (at rest and smiling), two obliques of
../shared/data/w300_oblique_dev and two profiles of ../shared/data/cfp_profile_dev, read in place (evaluation
data, never copied into the repository). Skips the test when ../shared is absent."""

from __future__ import annotations

from pathlib import Path

from facebalance.assess import SessionPhoto
from tests.shared_data import BUNDLED_LONDON, shared_path

#: yaw_proxy.tsv: -39.2 deg, the patient turned to their right (negative yaw), which
#: facebalance.oblique.frame.view_from_yaw calls oblique_left (the patient's left side toward the camera).
OBLIQUE_LEFT = "10406776_1.jpg"
#: yaw_proxy.tsv: +70.0 deg by the proxy (the face mesh reads about 45): positive yaw, oblique_right.
OBLIQUE_RIGHT = "170508172_1.jpg"
PROFILE_LEFT = "001_profile_02.jpg"
PROFILE_RIGHT = "002_profile_01.jpg"


def real_session() -> list[SessionPhoto]:
    """Frontal at rest and smiling, both obliques and both profiles, each with its protocol view."""
    oblique = "w300_oblique_dev"
    profile = "cfp_profile_dev"
    files: dict[str, Path] = {
        "frontal_rest": BUNDLED_LONDON / "001_03.jpg",
        "frontal_smile": BUNDLED_LONDON / "001_08.jpg",
        "oblique_left": shared_path(oblique, OBLIQUE_LEFT),
        "oblique_right": shared_path(oblique, OBLIQUE_RIGHT),
        "profile_left": shared_path(profile, PROFILE_LEFT),
        "profile_right": shared_path(profile, PROFILE_RIGHT),
    }
    return [SessionPhoto(view, path, path.name) for view, path in files.items()]


def yaw_proxy_deg(name: str) -> float:
    """The development set's yaw proxy of one oblique (``yaw_proxy.tsv``; positive: the patient turned to their
    left, the sign of :func:`facebalance.oblique.frame.view_from_yaw`)."""
    table = shared_path("w300_oblique_dev", "yaw_proxy.tsv").read_text("utf-8").splitlines()[1:]
    rows = dict(line.split("\t") for line in table if line.strip())
    return float(rows[Path(name).stem])
