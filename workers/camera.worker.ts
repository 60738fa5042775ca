// Camera worker: one per camera. Runs the FrameSource (ffmpeg or snapshot polling) off the main
// thread and hands over the newest frame each time the pipeline asks for one; frames that arrive
// while the pipeline is busy replace each other (counted as dropped by the source). With motion
// gating on, each frame comes with its grey thumbnail, made here rather than on the main thread.
import { parentPort } from "node:worker_threads";
import { FrameSource } from "./frame-source";
import type { CameraWorkerIn, CameraWorkerOut } from "./camera-protocol";

let source: FrameSource | null = null;
const post = (m: CameraWorkerOut, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

parentPort!.on("message", async (m: CameraWorkerIn) => {
  try {
    if (m.type === "start") {
      source = new FrameSource({ ...m.options, onStatus: (status) => post({ type: "status", status }) }).start();
    } else if (m.type === "next") {
      const f = await source?.next();
      if (!f) return post({ type: "frame", id: m.id, frame: null });
      // A private copy, so the transfer cannot detach a buffer the source still reads into.
      const data = f.data.slice();
      post({ type: "frame", id: m.id, frame: { ...f, data } }, [data.buffer as ArrayBuffer, ...(f.thumb ? [f.thumb.data.buffer as ArrayBuffer] : [])]);
    } else if (m.type === "status") {
      if (source) post({ type: "status", status: source.status() });
    } else if (m.type === "stop") {
      await source?.stop();
      post({ type: "stopped" });
    }
  } catch (e) {
    post({ type: "failed", message: e instanceof Error ? e.message : String(e) });
  }
});
