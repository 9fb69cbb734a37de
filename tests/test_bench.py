"""The bench's parts that can be checked without a clock: its test photo, its statistics and its report.

Nothing here times anything: wall-clock numbers depend on the machine and its load, so they belong in
the generated ``docs/performance.md``, not in assertions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from facebalance.bench.frontal import (
    BENCH_FRAME_PX,
    STAGE_LABELS,
    TARGET_END_TO_END_MS,
    BenchPhoto,
    BenchResult,
    Machine,
    ProfileLine,
    Stage,
    StageTiming,
    Throughput,
    build_24mp_jpeg,
    render_markdown,
    summarise,
)
from facebalance.vision import FaceLandmarker, load_image

#: The report's sections, in order.
REPORT_HEADINGS = [
    "## Frontal engine (`facebalance bench`)",
    "### Machine",
    "### Test photo",
    "### Single photo",
    "### Batch throughput",
    "### Target",
    "### Where the time goes",
]


@pytest.fixture(scope="module")
def bench_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_24mp_jpeg(tmp_path_factory.mktemp("bench") / "bench_24mp.jpg")


def _fake_result(*, end_to_end_ms: float) -> BenchResult:
    """A bench run with made-up numbers, for the report writer."""
    stages = tuple(
        StageTiming(stage=stage, runs=1 if stage is Stage.MODEL_LOAD_FIRST else 20, median_ms=ms, p90_ms=ms * 1.1)
        for stage, ms in (
            (Stage.FULL_DECODE, 90.0),
            (Stage.LOAD_IMAGE, 40.0),
            (Stage.DETECT, 5.0),
            (Stage.NORMS_AND_RULES, 1.5),
            (Stage.END_TO_END, end_to_end_ms),
            (Stage.MODEL_LOAD_FIRST, 300.0),
            (Stage.MODEL_LOAD_AGAIN, 10.0),
        )
    )
    return BenchResult(
        date_utc=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        command="facebalance bench --write docs/performance.md",
        machine=Machine(
            platform="Linux-test",
            processor="x86_64",
            cpu_count=2,
            python="3.11.7",
            numpy="2.0",
            pillow="11.0",
            mediapipe="0.10",
            pinning="pinned to CPU 0",
            thread_env={"OMP_NUM_THREADS": "unset"},
            process_threads=8,
            load_average=(0.5, 0.4, 0.3),
        ),
        photo=BenchPhoto(
            source_name="001_03.jpg",
            size_px=(6000, 4000),
            file_bytes=3_600_000,
            analysed_size_px=(3000, 2000),
            jpeg_quality=90,
            noise_sigma=4.0,
        ),
        stages=stages,
        batch=(
            Throughput(label="1 process, pinned to one CPU", processes=1, photos=60, seconds=2.0),
            Throughput(label="2 processes, one landmarker each", processes=2, photos=60, seconds=1.2),
        ),
        profile=(ProfileLine(function="anatomy.brow.refine_brow_margin", ms_per_photo=45.0, calls_per_photo=2),),
    )


def test_it_builds_a_24_megapixel_jpeg(bench_photo: Path) -> None:
    with Image.open(bench_photo) as image:
        assert image.format == "JPEG"
        assert image.size == BENCH_FRAME_PX == (6000, 4000)


def test_it_builds_a_photo_whose_face_the_pipeline_finds(bench_photo: Path, landmarker: FaceLandmarker) -> None:
    image = load_image(bench_photo)

    faces = landmarker.detect(image.rgb)

    assert image.full_size_px == (6000, 4000)
    assert len(faces) == 1


def test_it_summarises_runs_as_median_and_90th_percentile() -> None:
    timing = summarise(Stage.DETECT, [float(ms) for ms in range(1, 11)])

    assert timing == StageTiming(stage=Stage.DETECT, runs=10, median_ms=5.5, p90_ms=pytest.approx(9.1))


def test_it_writes_every_section_in_order() -> None:
    markdown = render_markdown(_fake_result(end_to_end_ms=55.0))
    headings = [line for line in markdown.splitlines() if line.startswith("#")]

    assert headings == REPORT_HEADINGS


def test_it_writes_one_table_row_per_stage_and_per_batch() -> None:
    markdown = render_markdown(_fake_result(end_to_end_ms=55.0))
    lines = markdown.splitlines()

    assert "| stage | median ms | p90 ms | runs |" in lines
    assert f"| {STAGE_LABELS[Stage.END_TO_END]} | 55.0 | 60.5 | 20 |" in lines
    assert f"| {STAGE_LABELS[Stage.MODEL_LOAD_FIRST]} | 300.0 | - | 1 |" in lines
    assert "| how | photos | seconds | photos/s |" in lines
    assert "| 2 processes, one landmarker each | 60 | 1.20 | 50.0 |" in lines
    assert "| `anatomy.brow.refine_brow_margin` | 45.0 | 2 |" in lines


def test_it_names_the_command_date_and_machine() -> None:
    markdown = render_markdown(_fake_result(end_to_end_ms=55.0))

    assert "`facebalance bench --write docs/performance.md`" in markdown
    assert "2025-01-02 03:04 UTC" in markdown
    assert "| logical CPUs | 2 |" in markdown
    assert "| numpy / Pillow / MediaPipe | 2.0 / 11.0 / 0.10 |" in markdown


@pytest.mark.parametrize(
    ("end_to_end_ms", "verdict"),
    [(TARGET_END_TO_END_MS - 5, "**met**"), (TARGET_END_TO_END_MS + 5, "**not met**")],
)
def test_it_says_whether_the_target_is_met(end_to_end_ms: float, verdict: str) -> None:
    result = _fake_result(end_to_end_ms=end_to_end_ms)

    assert f"target of {TARGET_END_TO_END_MS:g} ms: {verdict}." in render_markdown(result)
    assert result.target_met is (end_to_end_ms <= TARGET_END_TO_END_MS)


def test_it_splits_the_end_to_end_time_into_the_timed_stages() -> None:
    result = _fake_result(end_to_end_ms=100.0)
    markdown = render_markdown(result)

    assert "`load_image`): 40.0 ms (40 %)" in markdown
    assert "Landmark detection: 5.0 ms (5 %)" in markdown
    # 100 - 40 - 5 - 1.5 is left for the assessment.
    assert "findings): 53.5 ms (54 %)" in markdown
    assert "saves 50.0 ms" in markdown
