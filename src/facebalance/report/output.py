"""Writing an analysis's outputs: its JSON document, its annotated PNG and its terminal summary.

One place for every command that analyses a photo (``facebalance analyze``, ``facebalance profile`` and
``facebalance oblique``): each file is written whole or not at all.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from facebalance.oblique.analysis import ObliqueAnalysis
    from facebalance.photo import PhotoAnalysis
    from facebalance.profile.analysis import ProfileAnalysis


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


@dataclass(frozen=True)
class OutputTargets:
    """Where a command sends each analysis: the JSON document and the annotated PNG (one photo), a folder
    for both (``STEM.json``, ``STEM.png`` per photo), and the console for the terminal summary (``None``:
    quiet)."""

    json_out: Path | None = None
    annotate: Path | None = None
    out_dir: Path | None = None
    console: Console | None = None

    def write(self, result: PhotoAnalysis | ProfileAnalysis | ObliqueAnalysis, *, stem: str) -> None:
        """Write a frontal, profile or oblique analysis's document and annotated image, then print its summary.

        ``stem`` names the files in :attr:`out_dir`.
        """
        from facebalance.photo import PhotoAnalysis
        from facebalance.report.document import analysis_document, profile_document
        from facebalance.report.summary import print_profile_summary, print_summary

        document: Mapping[str, Any]
        picture: Callable[[], bytes]
        summary: Callable[[Console], None]
        from facebalance.oblique.analysis import ObliqueAnalysis

        if isinstance(result, PhotoAnalysis):
            from facebalance.report.annotate import render_annotated

            document = analysis_document(result)
            picture = functools.partial(render_annotated, result)
            summary = functools.partial(print_summary, result)
        elif isinstance(result, ObliqueAnalysis):
            from facebalance.report.annotate_oblique import render_oblique_annotated
            from facebalance.report.oblique import oblique_document
            from facebalance.report.summary import print_oblique_summary

            document = oblique_document(result)
            picture = functools.partial(render_oblique_annotated, result)
            summary = functools.partial(print_oblique_summary, result)
        else:
            from facebalance.report.annotate_profile import render_profile_annotated

            document = profile_document(result)
            picture = functools.partial(render_profile_annotated, result)
            summary = functools.partial(print_profile_summary, result)

        targets: list[tuple[Path | None, Path | None]] = [(self.json_out, self.annotate)]
        if self.out_dir is not None:
            targets.append((self.out_dir / f"{stem}.json", self.out_dir / f"{stem}.png"))
        text = json.dumps(document, indent=2, ensure_ascii=False).encode()
        png: bytes | None = None
        for json_path, png_path in targets:
            if json_path is not None:
                write_atomic(json_path, text)
            if png_path is not None:
                png = png if png is not None else picture()
                write_atomic(png_path, png)
        if self.console is not None:
            summary(self.console)
