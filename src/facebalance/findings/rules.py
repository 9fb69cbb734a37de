"""Finding rule tables: severity bands and relationship rules, for every view, read by one loader.

A rule file is TOML with an optional ``[meta]`` (name, version), optional ``[severity.z]``,
``[severity.range]`` and ``[severity.asymmetry]`` bands, and ``[[relation]]`` rows. Every band and every
rule carries a ``source`` and a ``review`` status (:mod:`facebalance.provenance`).

A relation row::

    [[relation]]
    id = "lips_vs_chin_short_chin"
    zones = ["lower_face"]
    when = [{ measurement = "lower_face_ratio", side = "above" }]   # above, below or within its norm
    sentence = "... {lower_face_ratio} ..."                          # {id} or {id:+.1f}: the value
    intervention = "Chin support before more lip volume."            # optional: the order it proposes
    source = "..."
    review = "working"

The packaged frontal rules are ``data/rules.toml``; the profile's are
``facebalance/profile/data/profile_relations.toml``. A clinic's own file is layered over the frontal rules
with :func:`load_finding_rules`: its severity bands replace the default's of the same name and its
relations replace the default's of the same id (new ids are added).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
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
from facebalance.zones.base import Zone

Severity = Literal["mild", "moderate", "marked"]
#: Severities from the least to the most.
SEVERITIES: tuple[Severity, ...] = ("mild", "moderate", "marked")
Side = Literal["above", "below", "within"]
SIDES: tuple[Side, ...] = ("above", "below", "within")
#: The severity band tables a rule file may hold.
BAND_NAMES = ("z", "range", "asymmetry")


@dataclass(frozen=True)
class SeverityBands(Sourced):
    """Sizes from which a deviation is mild, moderate and marked."""

    mild: float
    moderate: float
    marked: float
    source: str
    review: Review = "working"

    def grade(self, size: float) -> Severity | None:
        if size >= self.marked:
            return "marked"
        if size >= self.moderate:
            return "moderate"
        if size >= self.mild:
            return "mild"
        return None


@dataclass(frozen=True)
class Condition:
    """A measurement lying on one side of its norm (see :func:`facebalance.findings.compare_to_norm`)."""

    measurement: str
    side: Side


@dataclass(frozen=True)
class Relation(Sourced):
    """One relationship rule row: its conditions, the sentence it writes, the intervention order it
    proposes (``""`` for none) and its basis."""

    id: str
    zones: tuple[Zone, ...]
    when: tuple[Condition, ...]
    sentence: str
    source: str
    review: Review
    intervention: str = ""


@dataclass(frozen=True)
class RuleFile:
    """One parsed rule file: possibly only some severity bands, and its relations in file order."""

    name: str
    version: str
    bands: Mapping[str, SeverityBands]
    relations: tuple[Relation, ...]

    def layered_over(self, base: FindingRules) -> FindingRules:
        """This file on top of ``base``: same band name or relation id replaces, new relation ids add."""
        bands = {"z": base.z, "range": base.range, "asymmetry": base.asymmetry, **self.bands}
        mine = {r.id: r for r in self.relations}
        relations = tuple(mine.pop(r.id, r) for r in base.relations) + tuple(mine.values())
        return FindingRules(
            version=f"{self.version}+{base.version}",
            z=bands["z"],
            range=bands["range"],
            asymmetry=bands["asymmetry"],
            relations=relations,
            name=f"{self.name} (over {base.name})",
        )


@dataclass(frozen=True)
class FindingRules:
    """The frontal finding rules: the three severity band sets and the relationship rules."""

    version: str
    z: SeverityBands
    range: SeverityBands
    asymmetry: SeverityBands
    relations: tuple[Relation, ...]
    name: str = "facebalance-findings"


def _bands(row: Mapping[str, Any], where: str, default_review: Review) -> SeverityBands:
    basis = Provenance.of_row(row, where, default_review=default_review, error=NormsError)
    try:
        mild, moderate, marked = (float(require(row, k, where, error=NormsError)) for k in SEVERITIES)
    except (TypeError, ValueError):
        raise NormsError(f"{where}: mild, moderate and marked must be numbers.", hint="Fix the band.") from None
    if not mild <= moderate <= marked:
        raise NormsError(f"{where}: needs mild <= moderate <= marked.", hint="Fix the band.")
    return SeverityBands(mild, moderate, marked, basis.source, basis.review)


def _relation(row: Mapping[str, Any], where: str, default_review: Review) -> Relation:
    rid = str(require(row, "id", where, error=NormsError))
    for key in ("when", "sentence"):
        if not row.get(key):
            raise NormsError(f"{where} has no {key}.", hint="Every rule explains itself and cites its basis.")
    basis = Provenance.of_row(row, where, default_review=default_review, error=NormsError)
    conditions = []
    for c in row["when"]:
        if not isinstance(c, Mapping) or "measurement" not in c:
            raise NormsError(f"{where}: each condition needs a measurement and a side.", hint="Fix the rule.")
        if c.get("side") not in SIDES:
            raise NormsError(f"{where}: side must be above, below or within.", hint="Fix the rule.")
        conditions.append(Condition(str(c["measurement"]), c["side"]))
    try:
        zones = tuple(Zone(z) for z in require(row, "zones", where, error=NormsError))
    except ValueError:
        valid = ", ".join(z.value for z in Zone)
        raise NormsError(f"{where}: unknown zone in {row['zones']!r}.", hint=f"Use: {valid}.") from None
    if not zones:
        raise NormsError(f"{where} names no zone.", hint="Give the zones the rule is about.")
    return Relation(
        id=rid,
        zones=zones,
        when=tuple(conditions),
        sentence=str(row["sentence"]),
        source=basis.source,
        review=basis.review,
        intervention=str(row.get("intervention", "")),
    )


def rule_file_from_table(doc: Mapping[str, Any], *, origin: str, default_review: Review = "working") -> RuleFile:
    """A rule file from a parsed TOML document, validated: every band and rule cites its basis.

    Parameters
    ----------
    doc : mapping
        The parsed TOML document.
    origin : str
        The file's name, for messages.
    default_review : str
        The review status of rows that give none (``"clinic"`` for a clinic's own file).

    Raises
    ------
    facebalance.errors.NormsError
        Naming the file, the row and what is wrong.
    """
    severity = doc.get("severity", {})
    if not isinstance(severity, Mapping) or set(severity) - set(BAND_NAMES):
        raise NormsError(
            f"{origin}: [severity] may hold only {', '.join(BAND_NAMES)}.", hint="Name the bands [severity.z] etc."
        )
    bands = {
        name: _bands(row, f"{origin} [severity.{name}]", default_review)
        for name, row in severity.items()
        if isinstance(row, Mapping)
    }
    if len(bands) != len(severity):
        raise NormsError(f"{origin}: each [severity.NAME] must be a table.", hint="Fix the file.")
    relations = tuple(
        _relation(row, where, default_review)
        for where, row in table_rows(doc, "relation", origin=origin, error=NormsError)
    )
    ids = [r.id for r in relations]
    if len(set(ids)) != len(ids):
        raise NormsError(f"{origin}: a relation id is used twice.", hint="Give every rule its own id.")
    meta = doc.get("meta", {})
    return RuleFile(
        name=str(meta.get("name", Path(origin).stem)),
        version=str(meta.get("version", "unversioned")),
        bands=bands,
        relations=relations,
    )


def parse_rule_file(text: str, *, origin: str = "<string>", default_review: Review = "working") -> RuleFile:
    """Parse and validate a rule file's TOML text (see :func:`rule_file_from_table`)."""
    doc = parse_table_text(text, origin=origin, error=NormsError)
    return rule_file_from_table(doc, origin=origin, default_review=default_review)


def packaged_rule_file(package: str, name: str) -> RuleFile:
    """The packaged rule file ``data/NAME`` of ``package`` (e.g. ``facebalance.profile``)."""
    doc = packaged_table(package, name, error=NormsError)
    return rule_file_from_table(doc, origin=f"{package.rsplit('.', 1)[-1]}/data/{name}")


@functools.lru_cache(maxsize=1)
def default_finding_rules() -> FindingRules:
    """The packaged frontal finding rules, parsed once per process (frozen dataclasses and tuples)."""
    rules = packaged_rule_file("facebalance.findings", "rules.toml")
    missing = [b for b in BAND_NAMES if b not in rules.bands]
    if missing:
        raise NormsError(f"The packaged rules lack [severity.{missing[0]}].", hint="Reinstall facebalance.")
    return FindingRules(
        version=rules.version,
        z=rules.bands["z"],
        range=rules.bands["range"],
        asymmetry=rules.bands["asymmetry"],
        relations=rules.relations,
        name=rules.name,
    )


def load_finding_rules(path: str | os.PathLike[str] | None = None) -> FindingRules:
    """The packaged frontal finding rules, or a clinic's rule file layered over them.

    Examples
    --------
    >>> rules = load_finding_rules()
    >>> rules.z.grade(3.2), rules.z.provenance.review
    ('moderate', 'working')
    """
    default = default_finding_rules()
    if path is None:
        return default
    doc = read_table_file(path, error=NormsError, kind="rule file")
    clinic = rule_file_from_table(doc, origin=str(path), default_review="clinic")
    return clinic.layered_over(default)
