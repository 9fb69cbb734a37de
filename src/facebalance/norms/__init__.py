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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from facebalance.errors import NormsError
from facebalance.provenance import (
    Provenance,
    Review,
    Sourced,
    packaged_table,
    parse_table_text,
    read_table_file,
    require,
    table_rows,
)

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
        """The most specific norm for a measurement: population and sex > population > sex > any.

        ``ethnicity`` is the patient's norm population (:meth:`Populations.resolve`; ``None``: the default
        population). A norm of another population is never chosen, and the population's own range counts
        for more than the sex's (the intercanthal width differs by up to 7 mm between populations and by
        about 1.5 mm between the sexes).

        Returns ``None`` when the set has no norm for the measurement (or none for this sex and population
        and no neutral one).
        """
        if ethnicity is None:
            ethnicity = load_populations().default
        best: tuple[int, Norm] | None = None
        for norm in self.norms:
            if norm.measurement != measurement:
                continue
            if norm.sex not in ("any", sex):
                continue
            if norm.ethnicity not in ("any", ethnicity):
                continue
            score = (1 if norm.sex == sex else 0) + (2 if ethnicity and norm.ethnicity == ethnicity else 0)
            if best is None or score > best[0]:
                best = (score, norm)
        return best[1] if best else None

    def other_populations(self, measurement: str, population: str | None) -> list[str]:
        """The populations other than ``population`` that have a norm for ``measurement`` (sorted)."""
        return sorted(
            {
                n.population
                for n in self.norms
                if n.measurement == measurement and n.ethnicity not in ("any", population)
            }
        )

    def reference(self, id_: str) -> Reference:
        try:
            return self.references[id_]
        except KeyError:
            raise NormsError(
                f"The norm set {self.name!r} has no reference value {id_!r}.",
                hint="Use a norm set derived from facebalance-default.",
            ) from None

    def layered_over(self, base: NormSet) -> NormSet:
        """This set's entries on top of ``base``: an entry replaces the base's entries for its measurement
        that would apply to the same patients (same or sex-neutral sex; same population, or every population
        when the entry is population-neutral), so the clinic's own range is the one used."""
        mine = [(n.measurement, n.sex, n.ethnicity) for n in self.norms]

        def replaced(n: Norm) -> bool:
            return any(
                n.measurement == measurement and n.sex in (sex, "any") and ethnicity in ("any", n.ethnicity)
                for measurement, sex, ethnicity in mine
            )

        norms = tuple(n for n in base.norms if not replaced(n)) + self.norms
        return NormSet(
            name=f"{self.name} (over {base.name})",
            version=f"{self.version}+{base.version}",
            norms=norms,
            references={**base.references, **self.references},
            thresholds={**base.thresholds, **self.thresholds},
        )


@dataclass(frozen=True)
class Population(Sourced):
    """A norm population and the self-reported ancestry words that select it."""

    id: str
    label: str
    ancestry: tuple[str, ...]
    source: str
    review: Review


@dataclass(frozen=True)
class PopulationChoice:
    """The norm population chosen for a patient, and why."""

    population: str
    label: str
    matched: bool
    note: str = ""


def _words(text: str) -> str:
    return " ".join(re.sub(r"[-_/,;()]+", " ", text.lower()).split())


@dataclass(frozen=True)
class Populations:
    """The norm populations (``data/populations.toml``) and the default one."""

    default: str
    default_provenance: Provenance
    by_id: dict[str, Population]

    def resolve(self, ancestry: str | None) -> PopulationChoice:
        """The norm population for a patient's self-reported ancestry (an intake's free text or a population id).

        >>> pops = load_populations()
        >>> pops.resolve("Korean American").population, pops.resolve("african_american").population
        ('east_asian', 'african')
        >>> choice = pops.resolve("East Asian / White")
        >>> choice.population, choice.matched
        ('white', False)
        """
        default = self.by_id[self.default]
        if ancestry is None or not ancestry.strip():
            return PopulationChoice(default.id, default.label, False)
        text = _words(ancestry)
        if ancestry in self.by_id:
            return PopulationChoice(ancestry, self.by_id[ancestry].label, True)
        found = sorted(
            {
                p.id
                for p in self.by_id.values()
                for term in p.ancestry
                if re.search(rf"(?<![a-z]){re.escape(_words(term))}(?![a-z])", text)
            }
        )
        if len(found) == 1:
            return PopulationChoice(found[0], self.by_id[found[0]].label, True)
        why = "names several populations" if found else "matches no norm population"
        return PopulationChoice(
            default.id,
            default.label,
            False,
            f"The recorded ancestry {ancestry!r} {why}; the comparisons use population-neutral norms and "
            f"those of the default population ({default.label}). Judge the deviations with that in mind.",
        )


@functools.lru_cache(maxsize=1)
def load_populations() -> Populations:
    """The packaged norm populations (``norms/data/populations.toml``), parsed once per process."""
    origin = "facebalance.norms/data/populations.toml"
    doc = packaged_table("facebalance.norms", "populations.toml", error=NormsError)
    meta = doc.get("meta", {})
    by_id: dict[str, Population] = {}
    for where, row in table_rows(doc, "population", origin=origin, error=NormsError):
        basis = Provenance.of_row(row, where, error=NormsError)
        pid = str(require(row, "id", where, error=NormsError))
        by_id[pid] = Population(
            id=pid,
            label=str(require(row, "label", where, error=NormsError)),
            ancestry=tuple(str(t) for t in require(row, "ancestry", where, error=NormsError)),
            source=basis.source,
            review=basis.review,
        )
    default = str(require(meta, "default", f"{origin} [meta]", error=NormsError))
    if default not in by_id:
        raise NormsError(f"{origin}: the default population {default!r} is not defined.", hint="Fix the file.")
    provenance = Provenance.of_row(
        meta, f"{origin} [meta]", error=NormsError, source_key="default_source", review_key="default_review"
    )
    return Populations(default=default, default_provenance=provenance, by_id=by_id)


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
