"""The five zones of the session assessment: which view informs which zone, which finding goes where (pure).

The mapping is data (``data/zones.toml``, each row with its source): :func:`load_zone_map` reads it once and
:func:`assemble_zones` sorts the session's findings into the zones and writes a "not assessed" line for every
view a zone needs that is not usable, e.g. ``not assessed: no usable left oblique photo (skipped: patient
declined)``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from facebalance.assess.result import ASSESSMENT_ZONES, AssessmentZone, SessionFinding, ViewResult, ZoneAssessment
from facebalance.provenance import DataFileError, Provenance, packaged_table, require, table_rows


@dataclass(frozen=True)
class ZoneRule:
    """One zone of ``data/zones.toml``: the views that inform it and the findings that go to it."""

    id: AssessmentZone
    label: str
    views: tuple[str, ...]
    engine_zones: tuple[str, ...]
    kinds: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class ZoneMap:
    """The whole mapping: zones in report order, measurement overrides and the views' names."""

    version: str
    zones: tuple[ZoneRule, ...]
    measurement_zone: Mapping[str, AssessmentZone]
    view_names: Mapping[str, str]
    finding_views: tuple[str, ...] = ()

    def view_name(self, view_id: str) -> str:
        return self.view_names.get(view_id, view_id.replace("_", " "))

    def zones_of(self, finding: SessionFinding) -> tuple[AssessmentZone, ...]:
        """The assessment zones a finding goes to (its measurements' override first, else its kind, else its
        engine zones); a finding no row claims goes to no zone (it stays in the session's findings).

        >>> from facebalance.findings import Finding
        >>> from facebalance.zones.base import Zone
        >>> f = Finding("x", "norm", (Zone.PROPORTIONS,), ("lower_third_mm",), 1.0, 0.1, "mm", "", "", 0.0,
        ...             "mild", True, "", ())
        >>> load_zone_map().zones_of(SessionFinding(f, ("frontal_rest",)))
        ('lower_face',)
        """
        f = finding.finding
        overridden = [self.measurement_zone[m] for m in f.measurements if m in self.measurement_zone]
        if overridden and f.kind not in ("asymmetry", "movement", "compensation"):
            return tuple(dict.fromkeys(overridden))
        by_kind = tuple(z.id for z in self.zones if f.kind in z.kinds)
        if by_kind:
            return by_kind
        engine = {str(z.value) if hasattr(z, "value") else str(z) for z in f.zones}
        return tuple(z.id for z in self.zones if engine & set(z.engine_zones))


def _zone_id(value: object, where: str) -> AssessmentZone:
    for z in ASSESSMENT_ZONES:
        if value == z:
            return z
    raise DataFileError(f"{where}: unknown zone {value!r}.", hint=f"Use one of {', '.join(ASSESSMENT_ZONES)}.")


def zone_map_from_table(doc: Mapping[str, object], *, origin: str) -> ZoneMap:
    """Validate a parsed zones document: the five zones, each once, with views and a source."""
    zones = []
    for where, row in table_rows(doc, "zone", origin=origin):
        zones.append(
            ZoneRule(
                id=_zone_id(require(row, "id", where), where),
                label=str(require(row, "label", where)),
                views=tuple(str(v) for v in require(row, "views", where)),
                engine_zones=tuple(str(z) for z in row.get("engine_zones", ())),
                kinds=tuple(str(k) for k in row.get("kinds", ())),
                provenance=Provenance.of_row(row, where),
            )
        )
    if sorted(z.id for z in zones) != sorted(ASSESSMENT_ZONES):
        raise DataFileError(f"{origin}: needs each zone exactly once.", hint=f"Zones: {', '.join(ASSESSMENT_ZONES)}.")
    overrides: dict[str, AssessmentZone] = {}
    for where, row in table_rows(doc, "measurement", origin=origin):
        Provenance.of_row(row, where)
        zone = _zone_id(require(row, "zone", where), where)
        overrides.update({str(m): zone for m in require(row, "ids", where)})
    finding_views = doc.get("finding_views", {})
    if not isinstance(finding_views, Mapping):
        raise DataFileError(f"{origin}: [finding_views] must be a table.", hint="Give views = [...] and a source.")
    Provenance.of_row(finding_views, f"{origin} [finding_views]")
    names = doc.get("view_names", {})
    meta = doc.get("meta", {})
    return ZoneMap(
        version=str(meta.get("version", "unversioned")) if isinstance(meta, Mapping) else "unversioned",
        zones=tuple(sorted(zones, key=lambda z: ASSESSMENT_ZONES.index(z.id))),
        measurement_zone=overrides,
        view_names={str(k): str(v) for k, v in names.items()} if isinstance(names, Mapping) else {},
        finding_views=tuple(str(v) for v in finding_views.get("views", ())),
    )


@functools.lru_cache(maxsize=1)
def load_zone_map() -> ZoneMap:
    """The packaged ``data/zones.toml``, parsed once per process."""
    return zone_map_from_table(packaged_table("facebalance.assess", "zones.toml"), origin="assess/data/zones.toml")


def not_assessed_line(view: ViewResult | None, view_id: str, zone_map: ZoneMap) -> str:
    """The line a zone shows for a view it needs that is not usable.

    >>> m = load_zone_map()
    >>> not_assessed_line(ViewResult("oblique_left", "skipped", "patient declined", ""), "oblique_left", m)
    'not assessed: no usable left oblique photo (skipped: patient declined)'
    >>> not_assessed_line(None, "profile_right", m)
    'not assessed: no usable right profile photo (no photo of this view)'
    """
    head = f"not assessed: no usable {zone_map.view_name(view_id)} photo"
    if view is None or view.status == "missing":
        return f"{head} ({view.reason if view is not None and view.reason else 'no photo of this view'})"
    return f"{head} ({view.status}: {view.reason})" if view.reason else f"{head} ({view.status})"


def assemble_zones(
    views: Sequence[ViewResult],
    findings: Sequence[SessionFinding],
    zone_map: ZoneMap,
    *,
    extra_not_assessed: Mapping[str, Sequence[str]] | None = None,
) -> tuple[ZoneAssessment, ...]:
    """The five zones: each zone's findings (with their views), its analysed views and its "not assessed" lines.

    Parameters
    ----------
    views : sequence of ViewResult
        Every protocol view's result.
    findings : sequence of SessionFinding
        Every finding of the session (the views' and the cross-view ones).
    zone_map : ZoneMap
    extra_not_assessed : mapping of zone id to lines, optional
        More lines for a zone (the dynamic assessment's refusal, say).
    """
    by_view = {v.view_id: v for v in views}
    placed: dict[str, list[SessionFinding]] = {z.id: [] for z in zone_map.zones}
    for f in findings:
        for zone in zone_map.zones_of(f):
            placed[zone].append(f)
    out = []
    for z in zone_map.zones:
        usable = tuple(v for v in z.views if v in by_view and by_view[v].usable)
        lines = [not_assessed_line(by_view.get(v), v, zone_map) for v in z.views if v not in usable]
        lines += list((extra_not_assessed or {}).get(z.id, ()))
        out.append(ZoneAssessment(z.id, z.label, usable, tuple(placed[z.id]), tuple(lines)))
    return tuple(out)
