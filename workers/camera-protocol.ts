// Messages between a camera runner (src/services/cameras.ts) and its worker (workers/camera.worker.ts).
import type { CameraKind } from "../src/domain/camera-url";
import type { Frame, SourceStatus } from "./frame-source";

export interface CameraSourceOptions {
  url: string;
  kind: CameraKind;
  width: number;
  fps: number;
  stallMs?: number;
  ioTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; resetAfterMs?: number };
}

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
