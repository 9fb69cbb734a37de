"""The dynamics benchmark builds decodable clips and writes only its own section of the performance report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from facebalance.bench.dynamics import LongRunResult, RealTimeResult, build_clip, render_section
from facebalance.dynamics.video import VideoReader
from facebalance.evaluation.common import write_section


def test_a_built_clip_has_the_asked_size_and_length(tmp_path: Path) -> None:
    clip = build_clip(tmp_path / "clip.mp4", size=(320, 180), seconds=0.5, fps=10)
    with VideoReader(clip) as reader:
        frames = list(reader.frames())
        assert reader.info is not None and (reader.info.width_px, reader.info.height_px) == (320, 180)
    assert len(frames) == 5


def test_the_section_states_command_date_machine_and_the_target(tmp_path: Path) -> None:
    real = RealTimeResult("clip", 72, 0.3, [100.0, 110.0, 90.0], [200.0, 210.0, 190.0], "pinned to CPU 0")
    runs = [
        LongRunResult(10, 300, (1920, 1080), 5.0, 8.0, 400.0, 0),
        LongRunResult(60, 1800, (1920, 1080), 30.0, 45.0, 420.0, 0),
    ]
    body = render_section(
        real, runs, command="facebalance bench-dynamics --write x.md", now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert "- command: `facebalance bench-dynamics --write x.md`" in body and "- date: 2026-01-01" in body
    assert "- machine: " in body and "| 100 |" in body and "Target met" in body
    report = tmp_path / "performance.md"
    report.write_text("# Performance\n\nframe engine numbers\n", "utf-8")
    write_section(report, "bench-dynamics", body)
    text = report.read_text("utf-8")
    assert text.startswith("# Performance\n\nframe engine numbers\n")
    assert "<!-- BEGIN bench-dynamics -->" in text
