"""Specificity: how often each finding is proposed on ordinary faces.

The London set's people were photographed as they are, not as patients: a finding proposed for a
quarter of them describes normal variation (or a biased measurement), not something to treat, and
over-treatment starts with over-diagnosis. Each neutral photo is analysed with the person's sex and
ancestry (so each face is compared with its own population's norms) and, to show that left and right are
judged alike, also mirrored: a finding's rate on the patient's right in the photos must equal its rate on
the left in the mirrors. ``facebalance eval findings`` runs it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from facebalance.evaluation.common import ResultTable, command_line, run_header, write_section
from facebalance.evaluation.london import neutral_photos, read_london_info
from facebalance.evaluation.mirror import MirrorPair, analyse_with_mirror, swap_sides

SECTION = "eval-findings"
#: A finding proposed for at least this fraction of ordinary faces is flagged for review.
REVIEW_RATE = 0.25


@dataclass(frozen=True)
class FindingsEval:
    pairs: tuple[MirrorPair, ...]
    failures: tuple[tuple[str, str], ...]
    ancestry: dict[str, str]

    def photo_counts(self) -> Counter[str]:
        return Counter(f.id for p in self.pairs for f in p.photo.assessment.findings)

    def mirror_counts(self) -> Counter[str]:
        return Counter(f.id for p in self.pairs for f in p.mirror.assessment.findings)


def _rate(count: int, n: int) -> str:
    return f"{count} ({count / n:.0%})" if n else "0"


def build_tables(result: FindingsEval) -> dict[str, ResultTable]:
    n = len(result.pairs)
    photo, mirror = result.photo_counts(), result.mirror_counts()
    ids = sorted(set(photo) | {swap_sides(i) for i in mirror}, key=lambda i: (-photo[i], i))
    rows = []
    for fid in ids:
        partner = swap_sides(fid)
        sided = partner != fid
        agree = "yes" if photo[fid] == mirror[partner] else "NO"
        rows.append(
            (
                fid,
                _rate(photo[fid], n),
                _rate(mirror[partner], n) if sided else _rate(mirror[fid], n),
                agree,
                "review" if n and photo[fid] / n >= REVIEW_RATE else "",
            )
        )
    rates = ResultTable(
        "Finding rates on ordinary faces",
        ("finding", "photos", "mirrors (left and right swapped)", "same", f"≥ {REVIEW_RATE:.0%}"),
        tuple(rows),
        "Photos: faces for which the finding is proposed. Mirrors: faces whose mirrored photo proposes the "
        "finding with left and right swapped (for a sided finding, the other side's id): equal counts mean "
        "left and right are judged alike. Every face is compared with its own sex's and population's norms "
        f"where the norm set has them. A finding proposed for {REVIEW_RATE:.0%} or more of these ordinary faces "
        "is marked for review.",
    )
    per_face = Counter(len(p.photo.assessment.findings) for p in result.pairs)
    by_population: dict[str, list[int]] = {}
    for p in result.pairs:
        by_population.setdefault(p.photo.assessment.population or "?", []).append(len(p.photo.assessment.findings))
    counts = ResultTable(
        "Proposed findings per face",
        ("findings per face", "faces"),
        tuple((str(k), str(per_face[k])) for k in sorted(per_face)),
        "Population (norm population the faces were compared with): "
        + "; ".join(
            f"{pop} {len(v)} faces, mean {sum(v) / len(v):.1f} findings" for pop, v in sorted(by_population.items())
        )
        + ".",
    )
    listing = ResultTable(
        "Findings per face",
        ("photo", "ancestry (set's label)", "population", "findings"),
        tuple(
            (
                p.name,
                result.ancestry.get(p.name.split("_")[0], ""),
                p.photo.assessment.population,
                ", ".join(sorted(f.id for f in p.photo.assessment.findings)) or "none",
            )
            for p in result.pairs
        ),
    )
    return {"rates": rates, "counts": counts, "listing": listing}


def report_markdown(result: FindingsEval, tables: dict[str, ResultTable], *, header: str) -> str:
    failed = "none" if not result.failures else "; ".join(f"{p}: {m}" for p, m in result.failures)
    lines = [
        "## Finding rates on ordinary faces (London set)",
        "",
        header,
        "",
        "The London set's people are not patients: a finding proposed for many of them describes normal "
        "variation or a measurement bias, not something to treat. Each neutral photo is analysed with the "
        "person's sex and the set's ancestry label, and again mirrored.",
        "",
        f"Photos analysed: {len(result.pairs)}; not analysed: {failed}.",
    ]
    for table in tables.values():
        lines += ["", f"### {table.title}", "", table.to_markdown()]
    return "\n".join(lines) + "\n"


def run_findings_eval(dataset: Path, *, write: Path | None, limit: int | None, console: Console) -> FindingsEval:
    """Analyse every neutral London photo and its mirror; print and optionally write the finding rates."""
    photos = neutral_photos(dataset)[:limit]
    if not photos:
        raise FileNotFoundError(f"no photo with a .tem template under {dataset}")
    info = read_london_info(dataset / "london_info.csv")
    pairs: list[MirrorPair] = []
    failures: list[tuple[str, str]] = []
    for item in analyse_with_mirror(photos, info, console=console, label="findings"):
        if isinstance(item, MirrorPair):
            pairs.append(item)
        else:
            failures.append(item)
    ancestry = {face: person.get("ancestry", "") for face, person in info.items()}
    result = FindingsEval(tuple(pairs), tuple(failures), ancestry)
    tables = build_tables(result)
    console.print(tables["rates"].to_rich())
    console.print(tables["counts"].to_rich())
    if write is not None:
        header = run_header(command_line("findings", dataset, write=write, limit=limit))
        write_section(write, SECTION, report_markdown(result, tables, header=header))
        console.print(f"wrote the {SECTION} section of {write}")
    return result
