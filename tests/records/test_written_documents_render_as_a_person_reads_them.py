"""The demo-like patient's written plan and assessment report, printed to PDF and checked as a person
would: page images from pdftoppm, the text from pdftotext, every image present, nothing past the page edge."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from facebalance.records.pdf import (
    Letterhead,
    PatientHeader,
    PdfUnavailable,
    Picture,
    load_weasyprint,
    overflowing_boxes,
    plan_html,
    render,
    report_html,
)
from tests.records.documents import DemoDocuments, demo_documents
from tests.shared_data import system_tool

LETTERHEAD = Letterhead("Demo clinic", ("1 Harbour Street", "Bristol BS1 4RN"), "0117 000 0000", "hello@demo.test")
PATIENT = PatientHeader("Sample Patient", date(1991, 5, 17), "c1d2e3f4")


def _require_tools() -> None:
    try:
        load_weasyprint()
    except PdfUnavailable as exc:
        pytest.skip(str(exc))
    for tool in ("pdftoppm", "pdftotext", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (apt-get install poppler-utils)")


@pytest.fixture(scope="module")
def demo() -> DemoDocuments:
    _require_tools()
    return demo_documents()


def _print(html: str, out: Path) -> tuple[Path, str, list[Path], int]:
    """Write the PDF, its text and its page PNGs; return them with the number of embedded images."""
    document = render(html)
    assert overflowing_boxes(document) == []
    pdf = out / "doc.pdf"
    pdf.write_bytes(document.write_pdf())
    text = subprocess.run([system_tool("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    subprocess.run([system_tool("pdftoppm"), "-r", "50", "-png", str(pdf), str(out / "page")], check=True)
    pages = sorted(out.glob("page-*.png"))
    listing = subprocess.run(
        [system_tool("pdfimages"), "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    # Two header lines, then one line per image; soft masks (alpha channels) are listed as "smask".
    images = [line for line in listing.splitlines()[2:] if line.split() and line.split()[2] == "image"]
    return pdf, " ".join(text.split()), pages, len(images)


def _squash(text: str) -> str:
    return "".join(text.split()).replace("-", "")


def _not_blank(page: Path) -> bool:
    from PIL import Image, ImageStat

    with Image.open(page) as img:
        return max(ImageStat.Stat(img.convert("L")).stddev) > 5


def test_the_written_plan_reads_as_a_plan(demo: DemoDocuments, tmp_path: Path) -> None:
    html = plan_html(
        letterhead=LETTERHEAD,
        patient=PATIENT,
        plan=demo.plan,
        analysis=demo.analysis,
        photos=[Picture("Frontal photo, at rest, with the measured points", demo.annotated_png)],
        goals=demo.intake["goals"],
        prepared_on=date(2026, 12, 1),
    )
    _, text, pages, images = _print(html, tmp_path)
    assert demo.plan["items"], "the example intake should give a plan with items"
    for expected in (
        "Demo clinic",
        "Your treatment plan",
        "Sample Patient",
        "In your words",
        "Your visits",
        "Written pricing",
        "Total",
        "What to expect",
        "Keeping the result",
        "What can be undone",
        "Alternatives",
        "Surgery",
        "Acceptance",
        "Signature and date",
    ):
        assert expected in text, expected
    for item in demo.plan["items"]:
        assert item["label"] in text
    total = demo.plan["pricing"]["total"]
    assert f"${total['low']:,.0f}" in text and f"{total['high']:,.0f}" in text
    assert images == 2  # the annotated photo and the timeline chart
    assert len(pages) >= 2 and all(_not_blank(p) for p in pages)
    assert "Page 1 of" in text


def test_the_assessment_report_holds_every_measurement_and_the_photo_record(
    demo: DemoDocuments, tmp_path: Path
) -> None:
    html = report_html(
        letterhead=LETTERHEAD,
        patient=PATIENT,
        analysis=demo.analysis,
        photos=[Picture("Frontal at rest, annotated", demo.annotated_png)],
        quality=demo.quality,
        clinician="Dr Demo",
        prepared_on=date(2026, 12, 1),
    )
    _, text, pages, images = _print(html, tmp_path)
    for expected in (
        "Facial assessment report",
        "Method and uncertainty",
        "Photo-quality record",
        "Measurements against their norms",
        "Findings",
        "frontal_rest",
    ):
        assert expected in text, expected
    for mid, m in demo.analysis["measurements"].items():
        # Table cells wrap long labels across lines, and pdftotext joins "soft-|tissue" into "softtissue":
        # compare without spaces and hyphens.
        assert _squash(m["label"]) in _squash(text), mid
        if m.get("norm"):
            assert m["norm"]["source"].split()[0] in text
    for check in demo.quality[0]["checks"]:
        assert check["name"] in text
    assert images == 2  # the annotated photo and the deviation chart
    assert all(_not_blank(p) for p in pages)


def test_a_table_too_wide_for_the_page_is_caught(demo: DemoDocuments) -> None:
    html = "<html><body><table style='width:400mm'><tr><td>wide</td></tr></table></body></html>"
    assert overflowing_boxes(render(html))


def test_importing_weasyprint_leaves_pillow_strict(demo: DemoDocuments) -> None:
    from PIL import ImageFile

    render("<p>x</p>")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # the clinic's upload decoder must refuse truncated photos


def test_without_weasyprint_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_weasyprint(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    with pytest.raises(PdfUnavailable, match="libpango"):
        render("<p>x</p>")
