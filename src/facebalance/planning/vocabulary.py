"""The words an intake may use (``data/vocabulary.toml``, ``data/findings.toml``) and the closest known value.

Every id the planner checks an intake entry against lives here: finding ids (with the engine ids read as a
planner id, and the ids deliberately left without an injectable answer), allergies and medications (with the
class a contraindication row reads). :func:`closest` names the known value an unknown entry most likely meant.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from facebalance.planning.datafiles import packaged_toml
from facebalance.planning.errors import ClinicalDataError


def as_id(text: str) -> str:
    """``"Bee venom"``, ``"bee-venom"`` and ``"bee_venom"`` are one id (lower-case snake_case).

    >>> as_id(" Bee-venom "), as_id("St John's wort")
    ('bee_venom', 'st_johns_wort')
    """
    return re.sub(r"[\s\-]+", "_", re.sub(r"['’]", "", text.strip().lower()))


def closest(value: str, known: Iterable[str]) -> str | None:
    """The known value an entry most likely meant (``None`` when nothing is close).

    Compares whole ids and, for dotted ids (``profile.recessed_chin``), the part after the dot; a short entry
    that starts a known value (``"M"`` for ``male``) counts as close.

    Examples
    --------
    >>> closest("hyaluronidaze", ["hyaluronidase", "lidocaine"])
    'hyaluronidase'
    >>> closest("recesed_chin", ["profile.recessed_chin", "chin_height_mm_below"])
    'profile.recessed_chin'
    >>> closest("M", ["female", "male"]), closest("zzz", ["female", "male"])
    ('male', None)
    """
    options = sorted(set(known))
    v = value.strip().lower()
    if not v or not options:
        return None
    prefixed = [k for k in options if k.lower().startswith(v)]
    if prefixed and len(v) <= 3:
        return min(prefixed, key=len)
    scored = []
    for k in options:
        tail = k.rsplit(".", 1)[-1]
        score = max(difflib.SequenceMatcher(None, v, k.lower()).ratio(), difflib.SequenceMatcher(None, v, tail).ratio())
        scored.append((score, k))
    score, best = max(scored, key=lambda s: (s[0], -len(s[1])))
    return best if score >= 0.6 else (min(prefixed, key=len) if prefixed else None)


def ids_or_free_text(entries: Iterable[str], known: Iterable[str]) -> tuple[list[str], list[str]]:
    """Entries written as people write them (a form's lines): those the vocabulary knows as ids, the rest kept
    as free text, as written (the intake's ``*_other`` fields, shown to the clinician and read by no rule).

    >>> ids_or_free_text(["Lidocaine", "bee venom", "  "], ["lidocaine", "none"])
    (['lidocaine'], ['bee venom'])
    """
    known_ids = set(known)
    ids: list[str] = []
    other: list[str] = []
    for entry in entries:
        if not entry.strip():
            continue
        if as_id(entry) in known_ids:
            ids.append(as_id(entry))
        else:
            other.append(entry.strip())
    return ids, other


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` or ``""``: to follow a sentence about an unknown value."""
    match = closest(value, known)
    return f" Did you mean {match!r}?" if match else ""


@dataclass(frozen=True)
class FindingEntry:
    """One finding id the planner knows: in the patient's words, what the rules read it as, and, for a finding
    with no injectable answer, why it is left untreated (for the clinician and for the patient)."""

    id: str
    plain: str
    reads_as: str
    untreated: str = ""
    untreated_plain: str = ""

    @property
    def treated_by_rules(self) -> bool:
        return not self.untreated


@dataclass(frozen=True)
class Vocabulary:
    """The known ids of the intake's checked fields."""

    version: str
    findings: Mapping[str, FindingEntry]
    allergies: frozenset[str]
    medication_class: Mapping[str, str]
    nothing: frozenset[str]
    measurements: Mapping[str, str]

    def finding(self, fid: str) -> FindingEntry | None:
        return self.findings.get(fid)

    def measurement(self, mid: str) -> str:
        """The measurement id the planner reads a value under (itself when it has no alias)."""
        return self.measurements.get(mid, mid)

    def reads_as(self, fid: str) -> str:
        """The planner id a finding id is read as (itself when it has no alias or is unknown)."""
        entry = self.findings.get(fid)
        return entry.reads_as if entry is not None else fid


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ClinicalDataError(f"{where} must be a list of ids.")
    return tuple(value)


def parse_vocabulary(words: Mapping[str, Any], findings: Mapping[str, Any]) -> Vocabulary:
    """The vocabulary from the TOML forms of ``vocabulary.toml`` and ``findings.toml``."""
    entries: dict[str, FindingEntry] = {}
    for n, row in enumerate(findings.get("finding", [])):
        where = f"findings.toml finding[{n}]"
        for fid in _strings(row.get("ids"), f"{where}.ids"):
            if fid in entries:
                raise ClinicalDataError(f"{where}: finding id {fid!r} is listed twice.")
            if not str(row.get("plain", "")).strip():
                raise ClinicalDataError(f"{where}: {fid!r} has no plain-language sentence.")
            if bool(row.get("untreated")) != bool(row.get("untreated_plain")):
                raise ClinicalDataError(f"{where}: an untreated finding says why for the clinician and the patient.")
            entries[fid] = FindingEntry(
                fid,
                str(row["plain"]),
                str(row.get("reads_as", fid)),
                str(row.get("untreated", "")),
                str(row.get("untreated_plain", "")),
            )
    for entry in entries.values():
        if entry.reads_as not in entries:
            raise ClinicalDataError(f"findings.toml: {entry.id!r} reads as unknown id {entry.reads_as!r}.")
    classes: dict[str, str] = {}
    for n, row in enumerate(words.get("medication", [])):
        for mid in _strings(row.get("ids"), f"vocabulary.toml medication[{n}].ids"):
            classes[mid] = str(row.get("class", ""))
    reads = _strings(words["measurements"]["reads"], "vocabulary.toml [measurements].reads")
    aliases = dict(words["measurements"].get("aliases", {}))
    if not set(aliases.values()) <= set(reads):
        raise ClinicalDataError("vocabulary.toml [measurements.aliases] name a measurement the planner does not read.")
    return Vocabulary(
        version=str(words["meta"]["version"]),
        findings=entries,
        allergies=frozenset(_strings(words["allergies"]["ids"], "vocabulary.toml [allergies].ids")),
        medication_class=classes,
        nothing=frozenset(_strings(words["nothing"]["ids"], "vocabulary.toml [nothing].ids")),
        measurements={**{m: m for m in reads}, **{str(k): str(v) for k, v in aliases.items()}},
    )


@functools.lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The packaged vocabulary, parsed once per process."""
    return parse_vocabulary(packaged_toml("vocabulary.toml"), packaged_toml("findings.toml"))
