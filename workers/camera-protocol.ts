// Messages between a camera runner (src/services/cameras.ts) and its worker (workers/camera.worker.ts).
import type { Frame, FrameSourceOptions, SourceStatus } from "./frame-source";

/** What a worker's FrameSource is started with (the callbacks stay in the worker). */
export type CameraSourceOptions = Omit<FrameSourceOptions, "onStatus" | "ffmpegPath">;

export type CameraWorkerIn =
  | { type: "start"; options: CameraSourceOptions }
  | { type: "next"; id: number }
  | { type: "status" }
  | { type: "stop" };

export type CameraWorkerOut =
  | { type: "status"; status: SourceStatus }
  | { type: "frame"; id: number; frame: Frame | null }
  | { type: "stopped" }
  | { type: "failed"; message: string };
