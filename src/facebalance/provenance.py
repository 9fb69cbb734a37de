"""Where every clinical number comes from: one :class:`Provenance` type and one loader for data tables.

Norms, finding rules, movement rules, the photo protocol and the planner's catalog, prices, rules and
safety tables are TOML files whose rows each carry a ``source`` (the citation, or how the value was
obtained) and a ``review`` status. They are all read through :func:`read_table_file` /
:func:`parse_table_text` and :meth:`Provenance.of_row`, so the review states and the checks are the same
everywhere.

Review states
-------------
``cited``
    Taken from the cited publication.
``derived``
    Computed from cited values (the source says how).
``measured``
    Measured by this project on a named data set (``facebalance eval ...``), not a clinical norm.
``working``
    A working default awaiting the clinic's medical lead.
``clinic``
    The clinic's own value, from its own file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from facebalance.errors import FacebalanceError

Review = Literal["cited", "derived", "measured", "working", "clinic"]
REVIEW_STATES: frozenset[str] = frozenset({"cited", "derived", "measured", "working", "clinic"})


class DataFileError(FacebalanceError):
    """A packaged or clinic data file is malformed, or one of its numbers has no source."""

    code = "data_file"


@dataclass(frozen=True)
class Provenance:
    """The basis of one clinical number: its citation (or method) and its review status."""

    source: str
    review: Review

    @classmethod
    def of_row(
        cls,
        row: Mapping[str, Any],
        where: str,
        *,
        default_review: Review | None = None,
        error: type[FacebalanceError] = DataFileError,
        source_key: str = "source",
        review_key: str = "review",
    ) -> Provenance:
        """The provenance of a table row, after checking it has a source and a known review status.

        >>> Provenance.of_row({"source": "Farkas 1994", "review": "cited"}, "norm #1")
        Provenance(source='Farkas 1994', review='cited')
        >>> Provenance.of_row({"source": ""}, "norm #2")
        Traceback (most recent call last):
        ...
        facebalance.provenance.DataFileError: norm #2 has no source. Cite the basis of every number, or mark it working.
        """
        source = str(row.get(source_key, "")).strip()
        if not source:
            raise error(f"{where} has no {source_key}.", hint="Cite the basis of every number, or mark it working.")
        raw = row.get(review_key, default_review)
        if raw is None:
            raise error(f"{where} has no {review_key} status.", hint=f"Use one of {', '.join(sorted(REVIEW_STATES))}.")
        review = str(raw)
        if review not in REVIEW_STATES:
            raise error(
                f"{where} has review status {review!r}.", hint=f"Use one of {', '.join(sorted(REVIEW_STATES))}."
            )
        return cls(source=source, review=cast(Review, review))


class Sourced:
    """A data row that keeps its provenance in two fields, ``source`` and ``review`` (a mixin for frozen
    dataclasses such as norms, thresholds, severity bands and rules).

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Limit(Sourced):
    ...     value: float
    ...     source: str
    ...     review: str
    >>> Limit(3.0, "Farkas 1994", "cited").provenance
    Provenance(source='Farkas 1994', review='cited')
    """

    source: str
    review: str

    @property
    def provenance(self) -> Provenance:
        """The row's :class:`Provenance`."""
        return Provenance(self.source, cast(Review, self.review))


def parse_table_text(
    text: str, *, origin: str = "<string>", error: type[FacebalanceError] = DataFileError
) -> dict[str, Any]:
    """A TOML document parsed, or ``error`` naming the file and the syntax problem."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{origin} is not valid TOML: {exc}.", hint="Fix the file's syntax.") from None


def read_table_file(
    path: str | os.PathLike[str], *, error: type[FacebalanceError] = DataFileError, kind: str = "data file"
) -> dict[str, Any]:
    """A clinic's TOML file parsed, or ``error`` saying why it cannot be read (``kind`` names the file in
    messages: "norm file", "rule file" ...)."""
    if not Path(path).is_file():
        raise error(f"{kind[:1].upper()}{kind[1:]} {path} does not exist.", hint=f"Give the path of a TOML {kind}.")
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"Cannot read {path}: {exc}.", hint="Pass a readable UTF-8 TOML file.") from None
    return parse_table_text(text, origin=str(path), error=error)


def packaged_table(package: str, name: str, *, error: type[FacebalanceError] = DataFileError) -> dict[str, Any]:
    """The packaged ``data/NAME`` TOML file of ``package`` (e.g. ``facebalance.planning``), parsed."""
    text = resources.files(package).joinpath(f"data/{name}").read_text("utf-8")
    return parse_table_text(text, origin=f"{package}/data/{name}", error=error)


def table_rows(
    doc: Mapping[str, Any], table: str, *, origin: str, error: type[FacebalanceError] = DataFileError
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each row of the array of tables ``[[table]]`` with a ``where`` label for messages.

    >>> doc = {"rule": [{"id": "a"}, {"id": "b"}]}
    >>> [where for where, _ in table_rows(doc, "rule", origin="rules.toml")]
    ['rules.toml rule #1 (a)', 'rules.toml rule #2 (b)']
    """
    rows = doc.get(table, [])
    if not isinstance(rows, list):
        raise error(f"{origin}: {table!r} must be an array of tables ([[{table}]]).", hint="Fix the file.")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise error(f"{origin}: {table} #{i + 1} is not a table.", hint="Fix the file.")
        label = row.get("id", row.get("measurement", row.get("name")))
        yield (f"{origin} {table} #{i + 1}" + (f" ({label})" if label is not None else "")), row


def require(row: Mapping[str, Any], key: str, where: str, *, error: type[FacebalanceError] = DataFileError) -> Any:
    """``row[key]``, or ``error`` naming the row and the missing key."""
    if key not in row:
        raise error(f"{where}: missing {key!r}.", hint="Add it to the row.")
    return row[key]


def number_rows(
    doc: Mapping[str, Any],
    table: str,
    ids: Sequence[str],
    *,
    origin: str,
    positive: bool = False,
    counts: Sequence[str] = (),
    error: type[FacebalanceError] = DataFileError,
) -> dict[str, tuple[float, Provenance]]:
    """The rows ``[[table]]`` of named numbers (``id``, ``value``, ``source``, ``review``), each of ``ids``
    exactly once, as ``id -> (value, provenance)``; with ``positive`` every value above zero, and the ids
    in ``counts`` whole numbers (returned as ``int``).

    >>> doc = {"limit": [{"id": "a", "value": 2.0, "source": "Farkas 1994", "review": "cited"}]}
    >>> number_rows(doc, "limit", ("a",), origin="limits.toml")
    {'a': (2.0, Provenance(source='Farkas 1994', review='cited'))}
    >>> number_rows(doc, "limit", ("a", "b"), origin="limits.toml")
    Traceback (most recent call last):
    ...
    facebalance.provenance.DataFileError: limits.toml lacks b. Add a [[limit]] row for each.
    """
    found: dict[str, tuple[float, Provenance]] = {}
    for where, row in table_rows(doc, table, origin=origin, error=error):
        key = str(require(row, "id", where, error=error))
        if key not in ids:
            raise error(f"{where}: unknown {table} {key!r}.", hint=f"Use one of {', '.join(ids)}.")
        if key in found:
            raise error(f"{where}: {key} is given twice.", hint=f"Keep one row per {table}.")
        value = require(row, "value", where, error=error)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise error(f"{where}: value must be a number, not {value!r}.", hint="Fix the row.")
        if key in counts and value != int(value):
            raise error(f"{where}: {key} must be a whole number, not {value}.", hint="Fix the row.")
        if positive and value <= 0:
            raise error(f"{where}: {key} must be positive, not {value}.", hint="Fix the row.")
        found[key] = (int(value) if key in counts else float(value), Provenance.of_row(row, where, error=error))
    missing = [key for key in ids if key not in found]
    if missing:
        raise error(f"{origin} lacks {', '.join(missing)}.", hint=f"Add a [[{table}]] row for each.")
    return found
