// Shared by webcam enrollment and the kiosk: camera, in-browser face detection (MediaPipe
// FaceDetector, model fetched from this server) and guidance until a good, steady frame is there.
import { FaceDetector, FilesetResolver } from "/assets/vendor/mediapipe/vision_bundle.mjs";

/** Loads the detector; `headers` authorise the model download (the kiosk sends its credential). */
export async function createDetector(headers = {}) {
  const res = await fetch("/models/browser-detector", { headers });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || `The face detector model could not be loaded (${res.status})`);
  const model = new Uint8Array(await res.arrayBuffer());
  const vision = await FilesetResolver.forVisionTasks("/assets/vendor/mediapipe/wasm");
  return FaceDetector.createFromOptions(vision, { baseOptions: { modelAssetBuffer: model, delegate: "CPU" }, runningMode: "VIDEO", minDetectionConfidence: 0.6 });
}

export async function startCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error("This browser cannot use a camera here (it needs HTTPS or localhost)");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" }, audio: false });
  video.srcObject = stream;
  await video.play();
  return stream;
}

/**
 * Judges one detection result: what to tell the person, and whether the frame is good.
 * minWidth/maxWidth are the face width as a share of the frame width.
 */
export function judge(result, video, history, opts = {}) {
  const { minWidth = 0.22, maxWidth = 0.75, steadyFrames = 4, steadyShare = 0.03 } = opts;
  const faces = result.detections || [];
  if (faces.length === 0) {
    history.length = 0;
    return { good: false, message: "Look at the camera" };
  }
  if (faces.length > 1) {
    history.length = 0;
    return { good: false, message: "Only one face, please" };
  }
  const b = faces[0].boundingBox;
  const W = video.videoWidth;
  const H = video.videoHeight;
  const share = b.width / W;
  if (share < minWidth) return (history.length = 0), { good: false, message: "Come closer", box: b };
  if (share > maxWidth) return (history.length = 0), { good: false, message: "Move back a little", box: b };
  const cx = (b.originX + b.width / 2) / W;
  const cy = (b.originY + b.height / 2) / H;
  if (Math.abs(cx - 0.5) > 0.25 || Math.abs(cy - 0.5) > 0.3) return (history.length = 0), { good: false, message: "Move to the middle", box: b };
  history.push({ cx, cy, share });
  if (history.length > steadyFrames) history.shift();
  const moved = history.length < steadyFrames || history.some((h) => Math.abs(h.cx - cx) > steadyShare || Math.abs(h.cy - cy) > steadyShare || Math.abs(h.share - share) > steadyShare);
  return moved ? { good: false, message: "Hold still…", box: b } : { good: true, message: "Good", box: b };
}

/** The current video frame as a JPEG blob. */
export function capture(video, canvas) {
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
}

/** Draws the face box over the video (green when good). */
export function drawBox(overlay, video, verdict) {
  overlay.width = video.videoWidth;
  overlay.height = video.videoHeight;
  const ctx = overlay.getContext("2d");
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  if (!verdict.box) return;
  ctx.lineWidth = 4;
  ctx.strokeStyle = verdict.good ? "#1a7f37" : "#bf8700";
  ctx.strokeRect(verdict.box.originX, verdict.box.originY, verdict.box.width, verdict.box.height);
}
