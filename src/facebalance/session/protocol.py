"""The photo protocol: which views a session needs, their target poses and the quality thresholds.

Loaded from TOML (``data/protocol_default.toml``; a clinic may supply its own file). Pure data classes;
the checks live in :mod:`facebalance.session.quality`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from facebalance.errors import FacebalanceError


class ProtocolError(FacebalanceError):
    code = "protocol"


@dataclass(frozen=True)
class ViewSpec:
    """One standard view: target pose with tolerances, required expression and eye state."""

    id: str
    label: str
    required: bool
    mesh: bool
    yaw_deg: float
    yaw_tolerance_deg: float
    pitch_deg: float | None = None
    pitch_tolerance_deg: float | None = None
    roll_deg: float | None = None
    roll_tolerance_deg: float | None = None
    expression: str = "neutral"
    eyes: str = "open"
    backdrop: bool = False


@dataclass(frozen=True)
class ExpressionSpec:
    blendshapes: tuple[str, ...]
    shown_at: float


@dataclass(frozen=True)
class Protocol:
    name: str
    version: str
    views: tuple[ViewSpec, ...]
    checks: dict[str, dict[str, Any]]
    expressions: dict[str, ExpressionSpec]
    sources: dict[str, str] = field(default_factory=dict)

    def view(self, view_id: str) -> ViewSpec:
        for v in self.views:
            if v.id == view_id:
                return v
        known = ", ".join(v.id for v in self.views)
        raise ProtocolError(f"The protocol has no view {view_id!r}.", hint=f"Use one of: {known}.")

    def limit(self, check: str, key: str) -> Any:
        try:
            return self.checks[check][key]
        except KeyError:
            raise ProtocolError(
                f"The protocol's [checks.{check}] has no {key!r}.",
                hint="Start from the default protocol file and edit its values.",
            ) from None


def parse_protocol(text: str, *, origin: str = "<string>") -> Protocol:
    """Parse and validate a protocol TOML document."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{origin} is not valid TOML: {exc}.", hint="Fix the file's syntax.") from None
    views = []
    for i, v in enumerate(doc.get("view", [])):
        try:
            views.append(
                ViewSpec(
                    id=str(v["id"]),
                    label=str(v.get("label", v["id"])),
                    required=bool(v.get("required", False)),
                    mesh=bool(v.get("mesh", True)),
                    yaw_deg=float(v["yaw_deg"]),
                    yaw_tolerance_deg=float(v["yaw_tolerance_deg"]),
                    pitch_deg=float(v["pitch_deg"]) if "pitch_deg" in v else None,
                    pitch_tolerance_deg=float(v["pitch_tolerance_deg"]) if "pitch_tolerance_deg" in v else None,
                    roll_deg=float(v["roll_deg"]) if "roll_deg" in v else None,
                    roll_tolerance_deg=float(v["roll_tolerance_deg"]) if "roll_tolerance_deg" in v else None,
                    expression=str(v.get("expression", "neutral")),
                    eyes=str(v.get("eyes", "open")),
                    backdrop=bool(v.get("backdrop", False)),
                )
            )
        except KeyError as exc:
            raise ProtocolError(
                f"{origin}: view #{i + 1} lacks {exc}.", hint="Every view needs id, yaw_deg and yaw_tolerance_deg."
            ) from None
    if not views:
        raise ProtocolError(f"{origin} defines no views.", hint="Add [[view]] tables.")
    checks = {k: dict(v) for k, v in doc.get("checks", {}).items()}
    for name, entries in checks.items():
        if "source" not in entries:
            raise ProtocolError(f"{origin}: [checks.{name}] has no source.", hint="Say where its thresholds come from.")
    expressions = {
        k: ExpressionSpec(tuple(v["blendshapes"]), float(v["shown_at"])) for k, v in doc.get("expressions", {}).items()
    }
    for v in views:
        if v.expression not in ("neutral", "any") and v.expression not in expressions:
            raise ProtocolError(
                f"{origin}: view {v.id} needs expression {v.expression!r}, which is not defined.",
                hint="Add an [expressions.NAME] table.",
            )
    meta = doc.get("meta", {})
    return Protocol(
        name=str(meta.get("name", Path(origin).stem)),
        version=str(meta.get("version", "unversioned")),
        views=tuple(views),
        checks=checks,
        expressions=expressions,
        sources={k: str(v) for k, v in doc.get("sources", {}).items()},
    )


def load_protocol(path: str | Path | None = None) -> Protocol:
    """The default protocol, or a clinic's own file."""
    if path is None:
        text = resources.files("facebalance.session").joinpath("data/protocol_default.toml").read_text("utf-8")
        return parse_protocol(text, origin="protocol_default.toml")
    p = Path(path)
    if not p.is_file():
        raise ProtocolError(f"Protocol file {p} does not exist.", hint="Give the path of a protocol TOML file.")
    return parse_protocol(p.read_text("utf-8"), origin=str(p))
