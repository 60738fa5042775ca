// Kiosk: webcam + in-browser detection; when a face is big and steady the frame goes to the server,
// which answers "Welcome, Alice — checked in 08:59" or "Not recognised, please see reception".
// The tablet is authorised by its own kiosk credential, got once from a pairing link (Kiosks page);
// an unknown or revoked credential brings the pairing screen back.
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
const RETRY_MS = 5000;
const TOKEN = "clockface-kiosk-token";
const UNPAIRED = "This kiosk is not paired any more. Ask an admin for a new pairing link on the Kiosks page.";

// Operator API keys of the earlier kiosk page are not used any more.
localStorage.removeItem("clockface-kiosk-key");
let token = localStorage.getItem(TOKEN);
const auth = () => ({ "x-kiosk-token": token });
const refused = (res) => res.status === 401 || res.status === 403;

class Unpaired extends Error {}

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
function show(text, kind) {
  message.textContent = text;
  message.className = `kiosk-message ${kind || ""}`;
}

/** The code of a pairing link (…/kiosk#pair=CODE), or the code itself. */
function codeOf(text) {
  const hash = text.includes("#") ? text.slice(text.indexOf("#") + 1) : "";
  return new URLSearchParams(hash).get("pair") || text.trim();
}

async function pair(code) {
  const res = await fetch("/api/v1/kiosk/pair", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(res.status === 410 || res.status === 422 ? body.error || "This pairing link does not work." : "The server could not pair this kiosk; try again in a moment.");
  token = body.token;
  localStorage.setItem(TOKEN, token);
}

async function punch(blob) {
  const form = new FormData();
  form.set("image", blob, "kiosk.jpg");
  const res = await fetch("/api/v1/kiosk/punch", { method: "POST", body: form, headers: auth() });
  if (refused(res)) throw new Unpaired(UNPAIRED);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) return show(body.error || "Please try again", "bad");
  if (body.result === "checked_in") return show(`Welcome, ${body.name} — checked in ${time(body.ts)}`, "ok");
  if (body.result === "checked_out") return show(`Goodbye, ${body.name} — checked out ${time(body.ts)}`, "ok");
  if (body.result === "already") return show(`${body.name}, you are already ${body.lastKind === "check_in" ? "checked in" : "checked out"} (${time(body.lastTs)})`, "ok");
  return show(body.message, "bad");
}

function stopCamera() {
  for (const t of video.srcObject?.getTracks() ?? []) t.stop();
  video.srcObject = null;
}

/** Forgets the credential and shows the pairing screen. */
function unpair(reason) {
  localStorage.removeItem(TOKEN);
  token = null;
  stopCamera();
  askToPair(reason);
}

/** Checks the stored credential with the server, then starts the camera. */
async function start() {
  setup.hidden = true;
  live.hidden = false;
  let res;
  try {
    res = await fetch("/api/v1/kiosk/config", { headers: auth() });
  } catch {
    res = null;
  }
  if (res && refused(res)) return unpair(UNPAIRED);
  if (!res || !res.ok) {
    show("The server cannot be reached; trying again…", "bad");
    setTimeout(start, RETRY_MS);
    return;
  }
  const me = await res.json();
  document.title = `Clockface kiosk · ${me.name}`;
  run();
}

async function run() {
  show("Starting…");
  let detector;
  try {
    [detector] = await Promise.all([createDetector(auth()), startCamera(video)]);
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
          if (e instanceof Unpaired) return unpair(e.message);
          show("The server cannot be reached; please try again", "bad");
        }
        holdUntil = performance.now() + HOLD_MS;
        busy = false;
      }
    }
    setTimeout(tick, 100);
  };
  tick();
}

function askToPair(error) {
  live.hidden = true;
  setup.hidden = false;
  setup.querySelector(".kiosk-error").textContent = error || "";
  setup.onsubmit = async (e) => {
    e.preventDefault();
    await pairThenStart(codeOf(String(new FormData(setup).get("code") || "")));
  };
}

async function pairThenStart(code) {
  try {
    await pair(code);
  } catch (e) {
    return askToPair(e.message);
  }
  setup.reset();
  start();
}

// A pairing link carries its one-time code in the #pair=… fragment (never sent to the server in a
// URL); it leaves the address bar at once.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("pair");
if (fromHash) {
  history.replaceState(null, "", location.pathname);
  pairThenStart(fromHash);
} else if (token) start();
else askToPair();
