"""The photo protocol: which views a session needs, their target poses and the quality thresholds.

Loaded from TOML (``data/protocol_default.toml``; a clinic may supply its own file) with the one table
loader of :mod:`facebalance.provenance`: every ``[checks.NAME]`` table cites its ``source`` and carries a
``review`` status. Pure data classes; the checks live in :mod:`facebalance.session.quality`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facebalance.errors import FacebalanceError
from facebalance.provenance import Provenance, Review, packaged_table, parse_table_text, read_table_file, table_rows


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
    #: The basis of each ``[checks.NAME]`` table's thresholds, by check name.
    provenance: dict[str, Provenance] = field(default_factory=dict)

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


def parse_protocol(text: str, *, origin: str = "<string>", default_review: Review = "working") -> Protocol:
    """Parse and validate a protocol TOML document (see :func:`protocol_from_table`)."""
    doc = parse_table_text(text, origin=origin, error=ProtocolError)
    return protocol_from_table(doc, origin=origin, default_review=default_review)


def protocol_from_table(doc: Mapping[str, Any], *, origin: str, default_review: Review = "working") -> Protocol:
    """A protocol from a parsed TOML document, validated.

    Every view needs ``id``, ``yaw_deg`` and ``yaw_tolerance_deg``; every ``[checks.NAME]`` table a
    ``source`` (and a ``review`` status, ``default_review`` when it gives none); every expression a view
    asks for must be defined.
    """
    views = []
    for where, v in table_rows(doc, "view", origin=origin, error=ProtocolError):
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
                f"{where} lacks {exc}.", hint="Every view needs id, yaw_deg and yaw_tolerance_deg."
            ) from None
    if not views:
        raise ProtocolError(f"{origin} defines no views.", hint="Add [[view]] tables.")
    checks = {k: dict(v) for k, v in doc.get("checks", {}).items()}
    provenance = {
        name: Provenance.of_row(
            entries, f"{origin} [checks.{name}]", default_review=default_review, error=ProtocolError
        )
        for name, entries in checks.items()
    }
    expressions = {
        k: ExpressionSpec(tuple(v["blendshapes"]), float(v["shown_at"])) for k, v in doc.get("expressions", {}).items()
    }
    for view in views:
        if view.expression not in ("neutral", "any") and view.expression not in expressions:
            raise ProtocolError(
                f"{origin}: view {view.id} needs expression {view.expression!r}, which is not defined.",
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
        provenance=provenance,
    )


def load_protocol(path: str | os.PathLike[str] | None = None) -> Protocol:
    """The default protocol, or a clinic's own file (its checks without a review status count as the
    clinic's own values)."""
    if path is None:
        doc = packaged_table("facebalance.session", "protocol_default.toml", error=ProtocolError)
        return protocol_from_table(doc, origin="protocol_default.toml")
    doc = read_table_file(path, error=ProtocolError, kind="protocol file")
    return protocol_from_table(doc, origin=str(path), default_review="clinic")
