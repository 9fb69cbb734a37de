/* facebalance clinic: the guided dynamics capture (photo session page, docs/clinic.md).
 *
 * Records the camera with MediaRecorder (no sound) while it shows the guided script's prompts one after the
 * other (rest, then each expression held and relaxed), notes when each prompt appeared, and uploads the video
 * with those times as its labels ({name, start_s, end_s} from the start of the recording). The server checks,
 * re-encodes and analyses it in the background; the fragment it answers with polls the progress (htmx).
 * Loaded as a file (the Content-Security-Policy allows no inline script).
 */
(function () {
  "use strict";
  const root = document.getElementById("capture");
  if (!root) { return; }
  const plan = JSON.parse(root.dataset.plan);
  const preview = document.getElementById("capture-preview");
  const promptEl = document.getElementById("capture-prompt");
  const instructionEl = document.getElementById("capture-instruction");
  const bar = document.getElementById("capture-progress");
  const cameraButton = document.getElementById("capture-camera");
  const recordButton = document.getElementById("capture-record");
  const stopButton = document.getElementById("capture-stop");
  const stateEl = document.getElementById("capture-state");
  const errorEl = document.getElementById("capture-error");
  const token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  let stream = null;
  let recorder = null;
  let cancelled = false;
  let timers = [];

  function say(text) { stateEl.textContent = text; }
  function fail(text) { errorEl.textContent = text; errorEl.hidden = false; }
  function show(label, instruction) {
    promptEl.textContent = label; promptEl.hidden = false;
    instructionEl.textContent = instruction; instructionEl.hidden = false;
  }

  /* The timeline: each prompt's offset and length in seconds, a "relax" after each expression. */
  function timeline() {
    const steps = [];
    let t = 0;
    plan.prompts.forEach(function (p, i) {
      steps.push({ name: p.name, label: p.label, instruction: p.instruction, at: t, hold: p.hold_s });
      t += p.hold_s;
      if (i > 0 && plan.relax_s > 0) {
        steps.push({ name: null, label: "Relax", instruction: "Let your face rest.", at: t, hold: plan.relax_s });
        t += plan.relax_s;
      }
    });
    return { steps: steps, total: t };
  }

  function mimeType() {
    const types = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];
    return types.find(function (t) { return window.MediaRecorder && MediaRecorder.isTypeSupported(t); }) || "";
  }

  cameraButton.addEventListener("click", function () {
    errorEl.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      fail("This browser cannot record video here; upload a phone video instead.");
      return;
    }
    navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
    }).then(function (s) {
      stream = s;
      preview.srcObject = s;
      preview.hidden = false;
      recordButton.disabled = false;
      cameraButton.disabled = true;
      say("Camera on. Frame the whole face, facing the camera, then record.");
    }).catch(function (e) {
      fail("The camera could not be started (" + e.name + "); allow the camera, or upload a phone video.");
    });
  });

  function upload(blob, labels, type) {
    const form = new FormData();
    const extension = type.indexOf("mp4") >= 0 ? "mp4" : "webm";
    form.append("video", blob, "guided." + extension);
    form.append("prompts", JSON.stringify(labels));
    form.append("source", "camera");
    form.append("csrfmiddlewaretoken", token);
    say("Uploading the video (" + Math.round(blob.size / 1024) + " kB)…");
    return fetch(root.dataset.upload, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "capture" },
    }).then(function (response) {
      return response.text().then(function (html) {
        const target = document.getElementById("recordings");
        const holder = document.createElement("div");
        holder.innerHTML = html;
        const nodes = Array.from(holder.children);
        nodes.reverse().forEach(function (n) { target.insertBefore(n, target.firstChild); });
        nodes.forEach(function (n) { if (window.htmx) { window.htmx.process(n); } });
        say(response.ok ? "Uploaded: the analysis runs in the background." : "The video was refused.");
      });
    }).catch(function () { fail("The upload failed; check the connection and record again."); });
  }

  recordButton.addEventListener("click", function () {
    if (!stream) { return; }
    errorEl.hidden = true;
    cancelled = false;
    const type = mimeType();
    const chunks = [];
    const plan_ = timeline();
    const shown = [];
    let started = 0;
    recorder = new MediaRecorder(stream, type ? { mimeType: type, videoBitsPerSecond: 2500000 } : {});
    recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
    recorder.onstart = function () {
      started = performance.now();
      recordButton.disabled = true; stopButton.hidden = false; bar.hidden = false;
      plan_.steps.forEach(function (step) {
        timers.push(setTimeout(function () {
          shown.push({ name: step.name, at: (performance.now() - started) / 1000 });
          show(step.label, step.instruction);
        }, step.at * 1000));
      });
      timers.push(setTimeout(function () { recorder.stop(); }, plan_.total * 1000));
      const tick = setInterval(function () {
        const elapsed = (performance.now() - started) / 1000;
        bar.value = Math.min(100, 100 * elapsed / plan_.total);
        if (elapsed >= plan_.total) { clearInterval(tick); }
      }, 200);
      timers.push(tick);
      say("Recording: follow the prompts.");
    };
    recorder.onstop = function () {
      timers.forEach(function (t) { clearTimeout(t); clearInterval(t); });
      timers = [];
      const end = (performance.now() - started) / 1000;
      promptEl.hidden = true; instructionEl.hidden = true; stopButton.hidden = true; bar.hidden = true;
      recordButton.disabled = false;
      if (cancelled) { say("Stopped; nothing was saved."); return; }
      /* Each prompt's window runs from when it appeared until the next prompt of an expression (the relax
         that follows belongs to it: the patient is still letting go of the movement). */
      const labels = [];
      const named = shown.filter(function (s) { return s.name; });
      named.forEach(function (s, i) {
        const next = i + 1 < named.length ? named[i + 1].at : end;
        if (next > s.at) { labels.push({ name: s.name, start_s: s.at, end_s: next }); }
      });
      upload(new Blob(chunks, { type: type || "video/webm" }), labels, type || "video/webm");
    };
    recorder.start(1000);
  });

  stopButton.addEventListener("click", function () {
    cancelled = true;
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  });
})();
