"""Reference values with their sources, selected by the patient's sex and (where the data has it) ethnicity.

Norm sets are TOML files (see ``data/frontal_default.toml`` for the format), read with the one table
loader of :mod:`facebalance.provenance`: every norm, reference value and threshold carries a ``source`` and
a ``review`` status (:class:`~facebalance.provenance.Provenance`). The core only reads them through
:func:`load_norm_set`; a clinic's own file is layered over the default with :meth:`NormSet.layered_over`,
its entries replacing the default's for the same measurement, sex and ethnicity.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from facebalance.errors import NormsError
from facebalance.provenance import Provenance, Review, Sourced, parse_table_text, read_table_file, require, table_rows

Sex = Literal["female", "male"]


@dataclass(frozen=True)
class Norm(Sourced):
    """A reference value for one measurement: mean and SD, or an acceptable range (low/high)."""

    measurement: str
    sex: str
    ethnicity: str
    population: str
    source: str
    review: Review
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    note: str = ""

    def describe(self, unit: str) -> str:
        u = "" if unit in ("ratio", "fraction") else f" {unit}"
        if self.mean is not None and self.sd is not None:
            return f"{self.mean:g} ± {self.sd:g}{u}"
        lo = "" if self.low is None else f"{self.low:g}"
        hi = "" if self.high is None else f"{self.high:g}"
        return f"{lo} to {hi}{u}"


@dataclass(frozen=True)
class Reference(Sourced):
    """A reference value the measurements use (e.g. the iris diameter), not a norm to compare against."""

    id: str
    value: float
    source: str
    review: Review
    population: str = ""
    sd: float | None = None


@dataclass(frozen=True)
class Threshold(Sourced):
    """The size at which an asymmetry is noticed by lay observers."""

    measurement: str
    noticed_at: float
    source: str
    review: Review


@dataclass(frozen=True)
class NormSet:
    name: str
    version: str
    norms: tuple[Norm, ...]
    references: dict[str, Reference] = field(default_factory=dict)
    thresholds: dict[str, Threshold] = field(default_factory=dict)

    def select(self, measurement: str, *, sex: str | None, ethnicity: str | None = None) -> Norm | None:
        """The most specific norm for a measurement: sex and ethnicity match > sex > any.

        Returns ``None`` when the set has no norm for the measurement (or none for this sex and no
        sex-neutral one).
        """
        best: tuple[int, Norm] | None = None
        for norm in self.norms:
            if norm.measurement != measurement:
                continue
            if norm.sex not in ("any", sex):
                continue
            if norm.ethnicity not in ("any", ethnicity):
                continue
            score = (2 if norm.sex == sex else 0) + (1 if ethnicity and norm.ethnicity == ethnicity else 0)
            if best is None or score > best[0]:
                best = (score, norm)
        return best[1] if best else None

    def reference(self, id_: str) -> Reference:
        try:
            return self.references[id_]
        except KeyError:
            raise NormsError(
                f"The norm set {self.name!r} has no reference value {id_!r}.",
                hint="Use a norm set derived from facebalance-default.",
            ) from None

    def layered_over(self, base: NormSet) -> NormSet:
        """This set's entries on top of ``base``: same (measurement, sex, ethnicity) replaces."""
        mine = {(n.measurement, n.sex, n.ethnicity) for n in self.norms}
        norms = tuple(n for n in base.norms if (n.measurement, n.sex, n.ethnicity) not in mine) + self.norms
        return NormSet(
            name=f"{self.name} (over {base.name})",
            version=f"{self.version}+{base.version}",
            norms=norms,
            references={**base.references, **self.references},
            thresholds={**base.thresholds, **self.thresholds},
        )


def _provenance(row: dict[str, Any], where: str) -> Provenance:
    # Rows without a review status are taken as cited (the norm files' long-standing default).
    return Provenance.of_row(row, where, default_review="cited", error=NormsError)


def parse_norm_set(text: str, *, origin: str = "<string>") -> NormSet:
    """Parse and validate a norm-set TOML document (every number must have a source)."""
    return norm_set_from_table(parse_table_text(text, origin=origin, error=NormsError), origin=origin)


def norm_set_from_table(doc: Mapping[str, Any], *, origin: str) -> NormSet:
    """A norm set from a parsed TOML document, validated (every number must have a source)."""
    meta = doc.get("meta", {})
    name, version = str(meta.get("name", Path(origin).stem)), str(meta.get("version", "unversioned"))
    norms = []
    for where, e in table_rows(doc, "norm", origin=origin, error=NormsError):
        basis = _provenance(e, where)
        has_mean = "mean" in e and "sd" in e
        has_range = "low" in e or "high" in e
        if not (has_mean or has_range):
            raise NormsError(f"{where}: needs mean and sd, or low/high.", hint="Add the reference value.")
        if has_mean and float(e["sd"]) <= 0:
            raise NormsError(f"{where}: sd must be positive.", hint="Fix the entry.")
        norms.append(
            Norm(
                measurement=str(require(e, "measurement", where, error=NormsError)),
                sex=str(e.get("sex", "any")),
                ethnicity=str(e.get("ethnicity", "any")),
                population=str(require(e, "population", where, error=NormsError)),
                source=basis.source,
                review=basis.review,
                mean=float(e["mean"]) if "mean" in e else None,
                sd=float(e["sd"]) if "sd" in e else None,
                low=float(e["low"]) if "low" in e else None,
                high=float(e["high"]) if "high" in e else None,
                note=str(e.get("note", "")),
            )
        )
    references = {}
    for where, e in table_rows(doc, "reference", origin=origin, error=NormsError):
        rid = str(require(e, "id", where, error=NormsError))
        basis = _provenance(e, where)
        references[rid] = Reference(
            id=rid,
            value=float(require(e, "value", where, error=NormsError)),
            source=basis.source,
            review=basis.review,
            population=str(e.get("population", "")),
            sd=float(e["sd"]) if "sd" in e else None,
        )
    thresholds = {}
    for where, e in table_rows(doc, "threshold", origin=origin, error=NormsError):
        measurement = str(require(e, "measurement", where, error=NormsError))
        basis = _provenance(e, where)
        thresholds[measurement] = Threshold(
            measurement=measurement,
            noticed_at=float(require(e, "noticed_at", where, error=NormsError)),
            source=basis.source,
            review=basis.review,
        )
    return NormSet(name=name, version=version, norms=tuple(norms), references=references, thresholds=thresholds)


#: The default set is every ``*_default.toml`` in ``norms/data`` (frontal, profile, dynamics ...), layered
#: in name order; each file keeps its own citations.
DEFAULT_FILES_GLOB = "_default.toml"


@functools.lru_cache(maxsize=1)
def load_default_norm_set() -> NormSet:
    """The packaged default set, parsed once per process (shared: treat it as read-only)."""
    data = resources.files("facebalance.norms").joinpath("data")
    files = sorted((f for f in data.iterdir() if f.name.endswith(DEFAULT_FILES_GLOB)), key=lambda f: f.name)
    combined: NormSet | None = None
    for f in files:
        part = parse_norm_set(f.read_text("utf-8"), origin=f.name)
        combined = part if combined is None else _merge(combined, part)
    if combined is None:
        raise NormsError("No default norm files are installed.", hint="Reinstall facebalance.")
    return NormSet(
        name="facebalance-default",
        version=combined.version,
        norms=combined.norms,
        references=combined.references,
        thresholds=combined.thresholds,
    )


def _merge(a: NormSet, b: NormSet) -> NormSet:
    return NormSet(
        name=a.name,
        version=max(a.version, b.version),
        norms=a.norms + b.norms,
        references={**a.references, **b.references},
        thresholds={**a.thresholds, **b.thresholds},
    )


def load_norm_set(path: str | os.PathLike[str] | None = None) -> NormSet:
    """The default norm set, or a clinic's file layered over it."""
    default = load_default_norm_set()
    if path is None:
        return default
    doc = read_table_file(path, error=NormsError, kind="norm file")
    return norm_set_from_table(doc, origin=str(path)).layered_over(default)
