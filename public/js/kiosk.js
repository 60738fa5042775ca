// Kiosk: webcam + in-browser detection; when a face is big and steady the frame goes to the server,
// which answers "Welcome, Alice — checked in 08:59" or "Not recognised, please see reception".
import { capture, createDetector, drawBox, judge, startCamera } from "./face-guide.js";

const root = document.getElementById("kiosk");
const setup = root.querySelector(".kiosk-setup");
const live = root.querySelector(".kiosk-live");
const video = live.querySelector("video");
const overlay = live.querySelector("canvas.overlay");
const message = live.querySelector(".kiosk-message");
const clock = live.querySelector(".kiosk-clock");
const grab = document.createElement("canvas");
const HOLD_MS = 4000;

// The key comes from the page's #key=… fragment once (never sent to the server in a URL), then stays in localStorage.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
if (fromHash) {
  localStorage.setItem("clockface-kiosk-key", fromHash);
  history.replaceState(null, "", location.pathname);
}
let key = localStorage.getItem("clockface-kiosk-key");

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
function show(text, kind) {
  message.textContent = text;
  message.className = `kiosk-message ${kind || ""}`;
}

async function punch(blob) {
  const form = new FormData();
  form.set("image", blob, "kiosk.jpg");
  const res = await fetch("/api/v1/kiosk/punch", { method: "POST", body: form, headers: { "x-api-key": key } });
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (res.status === 401 || res.status === 403) {
    localStorage.removeItem("clockface-kiosk-key");
    throw new Error("This kiosk's API key is not valid any more");
  }
  if (!res.ok) return show(body.error || "Please try again", "bad");
  if (body.result === "checked_in") return show(`Welcome, ${body.name} — checked in ${time(body.ts)}`, "ok");
  if (body.result === "checked_out") return show(`Goodbye, ${body.name} — checked out ${time(body.ts)}`, "ok");
  if (body.result === "already") return show(`${body.name}, you are already ${body.lastKind === "check_in" ? "checked in" : "checked out"} (${time(body.lastTs)})`, "ok");
  return show(body.message, "bad");
}

async function run() {
  setup.hidden = true;
  live.hidden = false;
  let detector;
  try {
    [detector] = await Promise.all([createDetector({ "x-api-key": key }), startCamera(video)]);
  } catch (e) {
    show(e.message || String(e), "bad");
    return;
  }
  const history = [];
  let holdUntil = 0;
  let busy = false;
  const tick = async () => {
    clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (!busy && video.readyState >= 2 && performance.now() > holdUntil) {
      const verdict = judge(detector.detectForVideo(video, performance.now()), video, history, { minWidth: 0.25 });
      drawBox(overlay, video, verdict);
      show(verdict.message === "Look at the camera" ? "Look at the camera to check in or out" : verdict.message);
      if (verdict.good) {
        busy = true;
        history.length = 0;
        show("One moment…");
        try {
          await punch(await capture(video, grab));
        } catch (e) {
          show(e.message || String(e), "bad");
          if (!localStorage.getItem("clockface-kiosk-key")) return askForKey(e.message);
        }
        holdUntil = performance.now() + HOLD_MS;
        busy = false;
      }
    }
    setTimeout(tick, 100);
  };
  tick();
}

function askForKey(error) {
  live.hidden = true;
  setup.hidden = false;
  setup.querySelector(".kiosk-error").textContent = error || "";
  setup.onsubmit = (e) => {
    e.preventDefault();
    key = new FormData(setup).get("key").trim();
    localStorage.setItem("clockface-kiosk-key", key);
    run();
  };
}

if (key) run();
else askForKey();
