// Webcam enrollment: guides the person and captures five good frames automatically; the server
// checks each one again (quality, liveness, duplicates) and enrols it or says why not.
import { capture, createDetector, drawBox, judge, startCamera } from "./face-guide.js";

const root = document.getElementById("webcam-enroll");
const personId = root.dataset.person;
const want = Number(root.dataset.want || 5);
const maxTries = want * 3;
const video = root.querySelector("video");
const overlay = root.querySelector("canvas.overlay");
const grab = document.createElement("canvas");
const say = root.querySelector(".guide");
const count = root.querySelector(".count");
const list = root.querySelector(".results");
let accepted = 0;
let tries = 0;
let busy = false;
let lastShot = 0;
const history = [];

function report(text, ok) {
  const li = document.createElement("li");
  li.className = ok ? "ok" : "bad";
  li.textContent = text;
  list.append(li);
}

async function send(blob) {
  const form = new FormData();
  form.set("image", blob, "webcam.jpg");
  const res = await fetch(`/people/${personId}/faces/webcam`, { method: "POST", body: form, headers: { accept: "application/json" } });
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  tries++;
  if (res.status === 201) {
    accepted++;
    report(`Photo ${tries}: enrolled`, true);
  } else report(`Photo ${tries}: ${body.error}`, false);
  count.textContent = `${accepted} of ${want}`;
}

async function main() {
  let detector;
  try {
    [detector] = await Promise.all([createDetector(), startCamera(video)]);
  } catch (e) {
    say.textContent = e.message || String(e);
    root.classList.add("failed");
    return;
  }
  say.textContent = "Look at the camera";
  const tick = async () => {
    if (accepted >= want || tries >= maxTries) {
      video.srcObject?.getTracks().forEach((t) => t.stop());
      say.textContent = accepted >= want ? "Done: all photos enrolled" : `Stopped after ${tries} photos: ${accepted} enrolled`;
      root.classList.add("finished");
      return;
    }
    if (video.readyState >= 2 && !busy) {
      const verdict = judge(detector.detectForVideo(video, performance.now()), video, history);
      drawBox(overlay, video, verdict);
      say.textContent = verdict.message;
      if (verdict.good && performance.now() - lastShot > 800) {
        busy = true;
        lastShot = performance.now();
        history.length = 0;
        say.textContent = "Checking the photo…";
        await send(await capture(video, grab)).catch((e) => report(String(e.message || e), false));
        busy = false;
      }
    }
    setTimeout(tick, 100);
  };
  tick();
}
main();
