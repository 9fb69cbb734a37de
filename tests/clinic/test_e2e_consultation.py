"""A whole consultation for the demo patient in a real browser (headless Chromium driven by Playwright):
login, intake with the BDDQ-AS, the six required views, a bad photo with its retake prompt, the whole session
assessed (every view, in the background, the page following its progress), reviewed and confirmed, the plan
generated, edited (one refused change, two applied) and accepted.

Every page is saved as a screenshot in ``test-artifacts/e2e/`` (git-ignored), with the photos of the turned views.

The turned views get real in-the-wild photos of *other people* when ``../shared/data`` has them (evaluation-only
data, never stored in the repository), each tripping a studio check (busy backdrop, face size, head turn) and so
accepted with a written reason; the assessment then analyses all six views and the page shows the five zones,
the annotated oblique and profile pictures and findings with their views:

* ``oblique_right``: 300-W ``1477005205_1.jpg`` (yaw proxy +52.7 degrees: the patient's right, by
  ``facebalance.oblique.frame.view_from_yaw``); ``oblique_left``: 300-W ``1384775111_1.jpg`` (-45.0 degrees);
* ``profile_left``: CFP ``112_profile_03.jpg`` (a left profile), ``profile_right``: CFP ``009_profile_02.jpg``.

Without them (no ``w300_oblique_dev`` or ``cfp_profile_dev``) the turned views get the AFLW2000 stand-ins below,
and the consultation is walked as before.

What each photo slot gets otherwise (the demo has only London subject 001 from the front):

* ``frontal_rest``: London 001 at rest (seeded by ``facebalance_demo``); it passes.
* ``frontal_smile``: London 001 smiling (seeded) *fails* its pose check (head turned about 8 degrees and
  tilted 5, the frontal tolerance is 5): the slot shows its retake prompt, and it is retaken with a stand-in,
  London subject 013 smiling (``../shared/data/london_frontal/smiling/013_08.jpg``, CC BY 4.0, the closest
  subject to 001 in sex, age and ethnicity), which passes. Should the seeded photo ever pass, it is kept.
* ``profile_left``: first London 001 *frontal* on purpose: it fails (a frontal face in a profile slot) and
  the slot shows its retake prompt. Then the stand-in below.
* The four turned views get stand-ins of *other people* from AFLW2000 (evaluation-only data in
  ``../shared/data``, never stored in the repository): they do not pass, they come back with warnings only,
  and the provider accepts each warning with a written reason that says it is a stand-in:

  - ``oblique_right``: ``image00251.jpg`` (a face turned about 59 degrees), upscaled 2.5x with mild
    sharpening so the iris reaches the size limit: pose, face-size and focus warnings.
  - ``oblique_left``: ``image00516.jpg`` (a face turned about 30 degrees) mirrored, upscaled 2.5x and
    sharpened: pose and exposure warnings.
  - ``profile_left``: ``image00475.jpg`` (a true left profile; profile slots do not need the face mesh):
    a backdrop warning. ``profile_right``: the same photo mirrored, the same warning.

The test skips, saying why, without Chromium at /usr/bin/chromium, without the playwright package (the
Python package only: the browser is Debian's, ``playwright install`` is never run), or without
``../shared/data/aflw2000_pose``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs the playwright Python package (pip install playwright)"
)

from django.db import connection  # noqa: E402

from facebalance.clinic import audit  # noqa: E402
from facebalance.clinic.models import Assessment, Patient, Photo, Plan  # noqa: E402
from tests.clinic.clinic_records import LONDON, REPO  # noqa: E402
from tests.shared_data import shared_path  # noqa: E402

ARTIFACTS = REPO / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Grades the provider records: frown lines, midface volume loss and a retruded chin give a two-visit plan.
GRADES = {"glabellar_lines": "2", "midface_volume_deficit": "3", "chin_retrusion": "2"}
STAND_IN_REASON = (
    "Demo stand-in: the sample patient has no {view} photo; this is another person's photo from "
    "AFLW2000, accepted only to walk the consultation."
)


def stand_in(name: str, *, mirror: bool, scale: float, sharpen: int) -> bytes:
    """An AFLW2000 turned face as a JPEG for a turned-view slot (see the module docstring)."""
    from PIL import Image, ImageFilter, ImageOps

    image = Image.open(shared_path("aflw2000_pose", name)).convert("RGB")
    if mirror:
        image = ImageOps.mirror(image)
    if scale != 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    if sharpen:
        image = image.filter(ImageFilter.UnsharpMask(radius=2, percent=sharpen, threshold=2))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


#: slot -> (AFLW file, mirrored, scale, sharpening percent)
STAND_INS = {
    "oblique_right": ("image00251.jpg", False, 2.5, 120),
    "oblique_left": ("image00516.jpg", True, 2.5, 120),
    "profile_left": ("image00475.jpg", False, 1.0, 0),
    "profile_right": ("image00475.jpg", True, 1.0, 0),
}


#: The smiling stand-in when the seeded smile fails (London subject 013, CC BY 4.0).
SMILE_STAND_IN = ("london_frontal", "smiling", "013_08.jpg")

#: slot -> real in-the-wild photo of another person under ../shared/data (see the module docstring).
REAL_VIEWS = {
    "oblique_right": ("w300_oblique_dev", "1477005205_1.jpg"),
    "oblique_left": ("w300_oblique_dev", "1384775111_1.jpg"),
    "profile_left": ("cfp_profile_dev", "112_profile_03.jpg"),
    "profile_right": ("cfp_profile_dev", "009_profile_02.jpg"),
}
REAL_REASON = (
    "Test photo of another person ({source}), taken outside a studio: it trips a studio check; accepted only to "
    "walk the consultation with a real {view} photo."
)


def real_views() -> dict[str, bytes] | None:
    """The real turned-view photos, or ``None`` when ../shared/data lacks them (the stand-ins are used)."""
    from tests.shared_data import SHARED_DATA

    paths = {view: SHARED_DATA.joinpath(*parts) for view, parts in REAL_VIEWS.items()}
    if not all(p.is_file() for p in paths.values()):
        return None
    return {view: p.read_bytes() for view, p in paths.items()}


class Walk:
    """The browser page, with a numbered screenshot of every step."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base, self.step = page, base, 0
        self.slots: dict[str, str] = {}

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.step:02d}-{name}.png"), full_page=True)

    def slot(self, view: str) -> Any:
        return self.page.locator(f"#slot-{view}")

    def upload(self, view: str, name: str, data: bytes) -> Any:
        slot = self.slot(view)
        slot.locator("input[type=file]").set_input_files({"name": name, "mimeType": "image/jpeg", "buffer": data})
        slot.locator("form[hx-encoding] button").click()
        # htmx replaces the slot: wait for the new one with the uploaded photo's status.
        self.page.wait_for_function(
            "v => { const s = document.getElementById('slot-' + v); return s && s.querySelector('.badge'); }", arg=view
        )
        return self.slot(view)


@pytest.fixture
def audit_log_cleared_after(transactional_db: None) -> Any:
    """After a transactional test the database is emptied row by row, which the audit log's append-only
    triggers refuse: for that clean-up only, the triggers are lifted and then put back as the migration
    installs them (set up after the database fixture, so torn down before its flush)."""
    yield
    from importlib import import_module

    triggers = import_module("facebalance.clinic.migrations.0002_audit_append_only")
    vendor = "postgres" if connection.vendor == "postgresql" else connection.vendor.lower()
    with connection.cursor() as cursor:
        for sql in getattr(triggers, f"{vendor.upper()}_DROP"):
            cursor.execute(sql)
        cursor.execute("DELETE FROM clinic_auditevent")
        for sql in getattr(triggers, vendor.upper()):
            cursor.execute(sql)


@pytest.fixture
def browser_page(live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The live server speaks plain http on localhost; production cookies are Secure (HTTPS only).
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are still plain
    # synchronous calls (the server answers from its own threads), so Django's async guard is lifted here only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                problems.append(f"{m.text} at {m.location.get('url')} on {page.url}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status == 404 else None)
        yield page, problems
        context.close()
        browser.close()
        from facebalance.clinic import jobs

        jobs.stop_worker()  # the live server's worker thread (the assessment ran there), before the database goes
        # With Playwright's event loop running, the test's own ORM calls get their own connection (Django's
        # connections are context-local); close it here, or PostgreSQL cannot drop the test database.
        from django.db import connections

        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_whole_consultation_in_the_browser(
    live_server: Any, audit_log_cleared_after: None, browser_page: Any
) -> None:
    from facebalance.clinic.management.commands.facebalance_demo import PROVIDER, default_photo_dir, seed

    real = real_views()
    if real is None:
        turned = {view: stand_in(f, mirror=m, scale=s, sharpen=p) for view, (f, m, s, p) in STAND_INS.items()}
    else:
        turned = real
    for view, data in turned.items():
        (ARTIFACTS / f"{'stand-in' if real is None else 'photo'}-{view}.jpg").write_bytes(data)
    users = seed(default_photo_dir())
    page, problems = browser_page
    walk = Walk(page, live_server.url)
    expect = sync_api.expect

    # Login as the demo provider.
    page.goto(f"{live_server.url}/login/")
    walk.shot("login")
    page.fill("input[name=username]", PROVIDER)
    page.fill("input[name=password]", users["provider"][1])
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text("demo.provider")
    walk.shot("patients")

    # The chart, then the intake with the BDDQ-AS (negative: concerned, but not preoccupied).
    page.click("text=Sample")
    expect(page.locator("h1")).to_contain_text("Sample Patient")
    walk.shot("chart")
    page.click("text=New intake")
    page.fill("textarea[name=goals]", "I look tired and my chin feels weak")
    page.select_option("select[name=pregnancy]", "no")
    for field, value in {
        "bddq_q1_concerned": "true",
        "bddq_q2_preoccupied": "false",
        "bddq_q3_distress": "2",
        "bddq_q4_social": "1",
        "bddq_q5_work_school": "1",
        "bddq_q6_avoidance": "1",
        "bddq_q7_impairment": "false",
    }.items():
        page.select_option(f"select[name={field}]", value)
    walk.shot("intake-form")
    page.click("text=Save intake")
    expect(page.locator("main")).to_contain_text("negative")
    walk.shot("intake")

    # The demo's photo session: the two frontal views are in; the turned views are empty.
    patient = Patient.objects.get(given_name="Sample")
    session = patient.photo_sessions.get()
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    expect(walk.slot("frontal_rest")).to_contain_text("Pass")
    walk.slots["frontal_rest"] = "London 001_03 (seeded): pass"
    expect(page.locator("#missing")).to_contain_text("Left profile")
    walk.shot("session")
    smile = walk.slot("frontal_smile")
    if "Fail" in smile.inner_text():
        expect(smile.locator(".retake")).to_contain_text("Retake this photo")
        walk.shot("retake-prompt-seeded-smile")
        smile = walk.upload("frontal_smile", "smile.jpg", shared_path(*SMILE_STAND_IN).read_bytes())
        expect(smile.locator(".badge").first).to_have_text("Pass")
        walk.slots["frontal_smile"] = (
            "London 001_08 (seeded): fail, retake prompt shown; retaken with the "
            "stand-in London 013_08 (another person): pass"
        )
    else:
        walk.slots["frontal_smile"] = "London 001_08 (seeded): pass"

    # A bad photo: the frontal photo in the left-profile slot fails and asks for a retake.
    bad = walk.upload("profile_left", "frontal.jpg", (LONDON / "001_03.jpg").read_bytes())
    expect(bad.locator(".retake")).to_contain_text("Retake this photo")
    expect(bad.locator(".retake")).to_contain_text("profile_left")
    walk.shot("retake-prompt")
    walk.slots["profile_left"] = "London 001_03 (frontal, on purpose): fail, retake prompt shown; then "

    # The four turned views: real photos (or stand-ins) with warnings only, each accepted with the reason.
    for view, data in turned.items():
        slot = walk.upload(view, f"{view}.jpg", data)
        expect(slot.locator(".badge").first).to_have_text("Warning")
        if real is None:
            reason = STAND_IN_REASON.format(view=view.replace("_", " "))
        else:
            reason = REAL_REASON.format(source="/".join(REAL_VIEWS[view]), view=view.replace("_", " "))
        slot.locator("textarea[name=reason]").fill(reason)
        slot.locator("form[hx-post*='/accept/'] button").click()
        expect(walk.slot(view)).to_contain_text("warning accepted")
        if real is None:
            name, mirrored, scale, _ = STAND_INS[view]
            what = (
                f"stand-in AFLW2000 {name} (another person){', mirrored' if mirrored else ''}"
                f"{f', upscaled {scale:g}x, sharpened' if scale != 1 else ''}"
            )
        else:
            what = f"{'/'.join(REAL_VIEWS[view])} (another person, in the wild)"
        walk.slots[view] = walk.slots.get(view, "") + (
            f"{what}: warnings only ("
            + ", ".join(c.inner_text().split(":")[0] for c in slot.locator("ul.checks li").all())
            + "), accepted with a written reason"
        )
    (ARTIFACTS / "slots.md").write_text(
        "# What each photo slot got in the end-to-end consultation\n\n"
        + "".join(f"* `{view}`: {what}\n" for view, what in walk.slots.items()),
        "utf-8",
    )
    walk.shot("session-all-views")
    for view in turned:
        photo = Photo.objects.filter(session=session, view_id=view).order_by("-uploaded_at").first()
        assert photo is not None and photo.status == "warn" and photo.counts, view
        assert photo.accepted_reason.startswith("Demo stand-in" if real is None else "Test photo of another person")

    # Complete the session and assess it: every view, in the background; the page follows the progress.
    page.reload()
    page.click("text=Complete the session")
    expect(page.locator("main")).to_contain_text("complete")
    walk.shot("session-complete")
    page.click("text=Run the assessment")
    expect(page.locator("h1")).to_contain_text("Assessing the session")
    walk.shot("assessment-progress")
    expect(page.locator("h1")).to_contain_text("Assessment ·", timeout=180_000)
    walk.shot("assessment")
    if real is not None:
        check_whole_session(page, walk)

    # Review every finding (confirm), grade on the validated scales, confirm the assessment.
    for fid in page.eval_on_selector_all("article.finding", "els => els.map(e => e.id)"):
        page.locator(f"[id='{fid}'] button[value=confirm]").click()
        expect(page.locator(f"[id='{fid}']")).to_have_class(re.compile(r"\bconfirm\b"))
    for scale_id, grade in GRADES.items():
        page.select_option(f"select[name=grade_{scale_id}]", grade)
    page.click("text=Save grades")
    page.click("text=Confirm the assessment")
    expect(page.locator("main")).to_contain_text("confirmed")
    walk.shot("assessment-confirmed")
    assessment = Assessment.objects.get(session=session)
    assert assessment.confirmed_at is not None and assessment.grades == {k: int(v) for k, v in GRADES.items()}

    # The plan, generated from the confirmed assessment and the intake.
    page.click("text=Generate the treatment plan")
    expect(page.locator("h1")).to_contain_text("Treatment plan")
    walk.shot("plan")
    plan = Plan.objects.get(assessment=assessment)
    keys = {i["key"]: i["visit"] for i in plan.document["items"]}
    assert {"toxin_glabella", "ha_cheek", "ha_chin"} <= set(keys), keys
    assert keys["ha_chin"] > keys["ha_cheek"], keys

    # A refused change: the chin cannot move before the cheek has settled (midface before lower face).
    chin = page.locator("tr[data-key=ha_chin]")
    chin.locator("select[name=visit]").select_option(str(keys["ha_cheek"]))
    chin.locator("text=Move").click()
    expect(page.locator("#plan-body [role=alert]")).to_contain_text("Rule midface_before_lower_face")
    walk.shot("plan-edit-refused")

    # Two applied changes: drop the frown-line toxin; lower the cheek dose. Each is re-priced.
    total_before = page.locator("#plan-total").inner_text()
    page.locator("tr[data-key=toxin_glabella]").locator("text=Drop").click()
    expect(page.locator("#plan-body [role=status]")).to_contain_text("Dropped toxin to the glabellar complex")
    assert page.locator("#plan-total").inner_text() != total_before
    cheek = page.locator("tr[data-key=ha_cheek]")
    cheek.locator("input[name=dose_high]").fill("1.5")
    cheek.locator("text=Set dose").click()
    expect(page.locator("#plan-body [role=status]")).to_contain_text("to 1-1.5 mL")
    expect(page.locator("#plan-edits")).to_contain_text("Dropped")
    walk.shot("plan-edited")

    # The patient accepts.
    page.check("input[name=consent]")
    page.click("text=Record acceptance")
    expect(page.locator("#plan-status")).to_have_text("Accepted by the patient")
    walk.shot("plan-accepted")

    plan.refresh_from_db()
    assert plan.status == "accepted" and len(plan.edits) == 2
    assert "toxin_glabella" not in {i["key"] for i in plan.document["items"]}

    # Chart the accepted plan's first item: a click on the face diagram places the injection at the nearest
    # standard site (chart.js), then product, lot, expiry and dose; the patient's ledger lists it.
    chart_first_item(page, walk, live_server.url, patient, plan)
    assert audit.verify_chain().ok
    assert problems == [], problems  # no script error and no Content-Security-Policy violation


def check_whole_session(page: Any, walk: Walk) -> None:
    """The assessment of six real views: the five zones, the annotated oblique and profile pictures (loaded), the
    carried scale of each, and findings with the views they came from."""
    expect = sync_api.expect
    for zone in ("upper_face", "midface", "lower_face", "profile", "symmetry_dynamics"):
        expect(page.locator(f"#zone-{zone}")).to_be_visible()
    for view in REAL_VIEWS:
        expect(page.locator(f"#session-view-status tr[data-view={view}]")).to_contain_text("analysed")
        expect(page.locator(f"#session-scale tr[data-view={view}]")).to_contain_text("%")
    for view in ("oblique_right", "profile_left"):
        image = page.locator(f"#annotated-views figure[data-view={view}] img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(page.locator(".zone-findings li .views").first).to_contain_text("from ")
    expect(page.locator("#zone-profile .zone-findings")).to_contain_text("from profile")
    expect(page.locator("#session-findings article.finding").first).to_contain_text("from ")
    page.locator("#whole-session").scroll_into_view_if_needed()
    walk.shot("assessment-whole-session")


def chart_first_item(page: Any, walk: Walk, base: str, patient: Any, plan: Any) -> None:
    from facebalance.clinic.models import Modality
    from facebalance.clinic.records.models import TreatmentVisit
    from facebalance.records.treatments import SITES

    expect = sync_api.expect
    item = min(plan.document["items"], key=lambda i: (i.get("visit", 0), plan.document["items"].index(i)))
    modality = item["key"].split("_")[0] if item["key"].split("_")[0] in Modality.values else "ha"
    site = next((s for s in SITES.values() if s.area == item.get("area")), next(iter(SITES.values())))
    page.goto(f"{base}/records/patients/{patient.pk}/treatments/new/")
    expect(page.locator("h1")).to_contain_text("Chart a treatment")
    page.select_option("select[name=plan_item]", f"{plan.pk}/{item['key']}")
    page.select_option("select[name=modality]", modality)
    walk.shot("charting")
    # Click just beside the site's marker (wherever CSS has scaled the diagram to): the nearest site is chosen.
    face = page.locator("#face")
    face.scroll_into_view_if_needed()
    box, mark = face.bounding_box(), page.locator(f"#face circle.site[data-site='{site.id}']").bounding_box()
    assert box is not None and mark is not None
    assert box["height"] > 300 and box["width"] > 200, box  # drawn at a clickable size, not squashed by CSS
    offset = mark["width"] * 0.6
    page.locator("#face").click(
        position={
            "x": mark["x"] - box["x"] + mark["width"] / 2 + offset,
            "y": mark["y"] - box["y"] + mark["height"] / 2 + offset,
        }
    )
    row = page.locator("#site-rows tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".site-label")).to_have_text(site.label)
    assert row.locator("input[name=site]").input_value() == site.id
    expect(page.locator("#placed circle")).to_have_count(1)
    assert page.locator("#area").input_value() == site.area
    page.fill("input[name=product]", "Restylane Lyft")
    page.fill("input[name=lot]", "E2E-LOT-42")
    page.fill("input[name=expiry]", "2099-12-31")
    row.locator("input[name=amount]").fill("0.8")
    row.locator("select[name=depth]").select_option("supraperiosteal")
    walk.shot("charting-site-placed")
    page.click("text=Save treatment")
    expect(page.locator("main")).to_contain_text("E2E-LOT-42")
    walk.shot("treatment")
    visit = TreatmentVisit.objects.get(patient=patient)
    assert (visit.plan_id, visit.plan_item, visit.product, visit.modality) == (
        plan.pk,
        item["key"],
        "Restylane Lyft",
        modality,
    )
    assert [(s.site, float(s.amount), s.depth) for s in visit.sites.all()] == [(site.id, 0.8, "supraperiosteal")]
    page.goto(f"{base}/records/patients/{patient.pk}/treatments/")
    ledger = page.locator("main")
    expect(ledger).to_contain_text("Restylane Lyft / E2E-LOT-42")
    expect(ledger).to_contain_text(site.area)
    walk.shot("ledger")
