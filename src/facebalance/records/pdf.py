"""The written documents as PDF (WeasyPrint): the patient's treatment plan and the clinician's report.

HTML templates (``templates/*.html``, Jinja2 with autoescaping) and one print stylesheet
(``templates/print.css``: A4, running header and page numbers, tables that break between rows and
never wider than the page). Images (the annotated photos, the charts) are embedded as ``data:`` URIs, so
rendering reads no file and fetches nothing: the URL fetcher refuses every URL that is not ``data:``.

The builders take plain data: the ``facebalance.treatment_plan`` and ``facebalance.frontal_analysis``
documents, the photo checks as the session stores them, PNG bytes for the photos.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from facebalance.errors import FacebalanceError
from facebalance.planning.content import PlanningData
from facebalance.records import charts
from facebalance.records.wording import PatientWording, patient_items

ZONES: Mapping[str, str] = {
    "upper_face": "Upper face (forehead, brows and eyes)",
    "midface": "Midface (cheeks, under-eyes and nose)",
    "lower_face": "Lower face (lips, chin and jawline)",
    "proportions": "Overall proportions (thirds and fifths)",
    "symmetry": "Symmetry between the two sides",
    "profile": "Profile",
}


class PdfUnavailable(FacebalanceError):
    code = "pdf_unavailable"


@dataclass(frozen=True)
class Letterhead:
    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PatientHeader:
    name: str
    date_of_birth: date
    record_id: str


@dataclass(frozen=True)
class Picture:
    """A PNG (or JPEG) to embed, with the caption printed under it."""

    caption: str
    data: bytes
    content_type: str = "image/png"

    @property
    def uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def _money(r: Mapping[str, float] | None) -> str:
    if not r:
        return ""
    low, high = r.get("low", 0.0), r.get("high", 0.0)
    return f"${low:,.0f}" if round(low) == round(high) else f"${low:,.0f}–{high:,.0f}"


def _num(x: Any, digits: int = 1) -> str:
    # Anything but a number (None, a missing key) prints as a dash.
    return f"{x:.{digits}f}" if isinstance(x, int | float) else "—"


def _percent(x: Any) -> str:
    return f"{_num(x * 100 if isinstance(x, int | float) else None)} %"


def _day(d: str | date | None) -> str:
    if d is None or d == "":
        return ""
    d = date.fromisoformat(d) if isinstance(d, str) else d
    return f"{d.day} {d:%B %Y}"


@cache
def _environment() -> Any:
    from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape

    # Lenient about missing keys: a plan document of an older version or a refused plan lacks sections.
    env = Environment(
        loader=PackageLoader("facebalance.records", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=_money, num=_num, day=_day, percent=_percent)
    return env


def _css() -> str:
    from importlib.resources import files

    return files("facebalance.records").joinpath("templates/print.css").read_text("utf-8")


#: The review states a finding can carry in a reviewed analysis document; only these two were checked by a clinician.
CHECKED = ("confirmed", "edited")


def findings_by_zone(
    analysis: Mapping[str, Any] | None, *, checked_only: bool = True
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The analysis' findings grouped under plain zone names, each ``{"sentence", "severity", "status", ...}``
    as the clinician left it (their wording and grade). A rejected finding is never listed; with
    ``checked_only`` (the patient's plan) neither is one no clinician has confirmed or edited."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for f in (analysis or {}).get("findings", []):
        status = f.get("status", "proposed")
        if status == "rejected" or (checked_only and status not in CHECKED):
            continue
        zone = (f.get("zones") or ["proportions"])[0]
        groups.setdefault(zone, []).append(f)
    return [(ZONES.get(z, z.replace("_", " ").capitalize()), s) for z, s in groups.items()]


def plan_html(
    *,
    letterhead: Letterhead,
    patient: PatientHeader,
    plan: Mapping[str, Any],
    analysis: Mapping[str, Any] | None,
    photos: Sequence[Picture],
    goals: str,
    prepared_on: date,
    assessment_withheld: bool = False,
) -> str:
    """The patient's written plan as HTML (print it with :func:`render_pdf`). ``assessment_withheld``: a copy
    for someone who may not see the assessment (give ``analysis=None`` and no photos); it says so instead of
    the findings.

    ``analysis`` is the assessment with its findings as the clinician reviewed them (``status`` confirmed,
    edited or rejected; the clinician's sentence and grade): only confirmed and edited ones are printed. The
    plan's sentences are worded for the patient (:class:`~facebalance.records.wording.PatientWording`): no
    engine ids, no clinic-internal price comparisons, each message once."""
    wording = PatientWording(PlanningData.default(), analysis)
    items = {i["key"]: i for i in patient_items(plan.get("items", []), wording)}
    # Plans of schema 1.1 carry their own patient section; the referrals worded here serve older plans.
    referrals = wording.messages(plan)[0]
    visits = [dict(v, item_docs=[items[k] for k in v.get("items", []) if k in items]) for v in plan.get("visits", [])]
    chart = charts.timeline_chart(
        [(f"Visit {v['index'] + 1}", date.fromisoformat(v["date"])) for v in plan.get("visits", [])],
        [
            (m["label"][:40], date.fromisoformat(m["due_from"]), date.fromisoformat(m["due_until"]))
            for m in plan.get("maintenance", [])
        ],
    )
    return str(
        _environment()
        .get_template("plan.html")
        .render(
            css=_css(),
            letterhead=letterhead,
            patient=patient,
            plan=plan,
            visits=visits,
            items=list(items.values()),
            zones=findings_by_zone(analysis),
            unchecked=any(
                f.get("status", "proposed") not in (*CHECKED, "rejected") for f in (analysis or {}).get("findings", [])
            ),
            photos=photos,
            goals=goals,
            prepared_on=prepared_on,
            assessment_withheld=assessment_withheld,
            chart=None if chart is None else Picture("Your visits and when to come back", chart),
            surgical=referrals,
            pricing_notes=wording.pricing_notes(plan.get("pricing") or {}),
        )
    )


def report_html(
    *,
    letterhead: Letterhead,
    patient: PatientHeader,
    analysis: Mapping[str, Any],
    photos: Sequence[Picture],
    quality: Sequence[Mapping[str, Any]],
    clinician: str,
    prepared_on: date,
) -> str:
    """The clinician's assessment report as HTML: every measurement with its uncertainty and cited norm,
    the findings, the calibration and pose, and the photo-quality record (``quality``: one photo-check
    document per photo, with a ``view_id``)."""
    by_zone: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for mid, m in analysis.get("measurements", {}).items():
        by_zone.setdefault(m.get("zone", ""), []).append((mid, m))
    chart = charts.deviation_chart(analysis.get("measurements", {}))
    return str(
        _environment()
        .get_template("report.html")
        .render(
            css=_css(),
            letterhead=letterhead,
            patient=patient,
            a=analysis,
            findings=[(zone, rows) for zone, rows in findings_by_zone(analysis, checked_only=False)],
            photos=photos,
            quality=quality,
            zones=[(ZONES.get(z, z), rows) for z, rows in by_zone.items()],
            clinician=clinician,
            prepared_on=prepared_on,
            chart=None if chart is None else Picture("Measurements against their norms (deviation in SD)", chart),
        )
    )


def load_weasyprint() -> Any:
    """Import WeasyPrint without letting it loosen Pillow for the whole process.

    WeasyPrint sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` when imported; in the clinic's process
    that would make the upload decoder accept truncated photos. The flag is put back at once (the
    documents embed only images this package made, never truncated ones).

    Raises :class:`PdfUnavailable` when WeasyPrint or its system libraries are missing.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        # OSError: the Python package is there but the system Pango/HarfBuzz libraries are not.
        raise PdfUnavailable(
            f"PDF output needs WeasyPrint and its system libraries: {exc}",
            hint="pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        ) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


_weasyprint = load_weasyprint


def _data_only_fetcher(wp: Any) -> Any:
    """A URL fetcher that serves ``data:`` URIs and refuses everything else (no file, no network)."""
    urls = wp.urls
    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 66
        return urls.URLFetcher(allowed_protocols=("data",))

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - older WeasyPrint
        if not url.startswith("data:"):
            raise ValueError(f"the documents embed everything; refusing to fetch {url[:40]}")
        return wp.default_url_fetcher(url, *args, **kwargs)

    return fetch


def render(html: str) -> Any:
    """The laid-out WeasyPrint document (pages and boxes) of ``html``."""
    wp = _weasyprint()
    return wp.HTML(string=html, url_fetcher=_data_only_fetcher(wp)).render()


def render_pdf(html: str) -> bytes:
    """PDF bytes of ``html``."""
    pdf: bytes = render(html).write_pdf()
    return pdf


def overflowing_boxes(document: Any, *, tolerance_px: float = 0.5) -> list[str]:
    """Boxes that reach past their page's right or bottom edge, as ``"page N: <tag> ..."``.

    Walks WeasyPrint's laid-out box tree (``page._page_box``, an internal but long-stable attribute):
    a table or image wider than the page is the failure a reader would see as cut-off content.
    """
    problems: list[str] = []
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box
        width, height = root.margin_width(), root.margin_height()

        def walk(box: Any, number: int = number, width: float = width, height: float = height) -> None:
            if hasattr(box, "margin_width") and box.position_x is not None:
                right = box.position_x + box.margin_width()
                bottom = box.position_y + box.margin_height()
                if right > width + tolerance_px or bottom > height + tolerance_px:
                    tag = getattr(box, "element_tag", "") or type(box).__name__
                    problems.append(
                        f"page {number}: {tag} ends at x={right:.0f}, y={bottom:.0f} (page {width:.0f}x{height:.0f})"
                    )
            for child in getattr(box, "children", ()):
                walk(child)

        walk(root)
    return problems
