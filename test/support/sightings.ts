import type { CameraSighting } from "../../src/services/cameras";

/** What the camera runner hands over when a stranger's track is decided. */
export function unknownSighting(camera: CameraSighting["camera"], evidence: Uint8Array): CameraSighting {
  const embedding = new Float32Array(512).fill(1 / Math.sqrt(512));
  const now = Date.now();
  return {
    camera,
    sighting: {
      trackId: `cam${camera.id}-${now}`,
      personId: null,
      decision: "unknown",
      similarity: 0.1,
      faces: 8,
      startedAt: now - 2_000,
      endedAt: now,
      early: false,
      bestObservation: { box: [0, 0, 112, 112], embedding, quality: { faceSize: 112, sharpness: 100 }, detScore: 0.9, decision: { decision: "unknown", personId: null, similarity: 0.1 } },
    },
    evidence,
    embedding,
  };
}
