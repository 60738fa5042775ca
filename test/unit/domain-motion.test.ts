import { describe, expect, test } from "bun:test";
import { changedPixels, greyThumb, MIN_CHANGED, MotionGate, type GreyImage } from "../../src/domain/motion";

/** A 640x360 RGB frame of one colour, with optional filled rectangles [x, y, w, h, grey]. */
function frame(background: number, rects: [number, number, number, number, number][] = [], noise = 0, seed = 1): Uint8Array {
  const W = 640, H = 360;
  const d = new Uint8Array(W * H * 3).fill(background);
  for (const [x0, y0, w, h, v] of rects) for (let y = y0; y < y0 + h; y++) d.fill(v, (y * W + x0) * 3, (y * W + x0 + w) * 3);
  let s = seed;
  if (noise) for (let i = 0; i < d.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    d[i] = Math.max(0, Math.min(255, d[i]! + Math.round(((s / 0x7fffffff) * 2 - 1) * noise)));
  }
  return d;
}
const thumb = (rgb: Uint8Array) => greyThumb(rgb, 640, 360);

describe("grey thumbnail", () => {
  test("64x36 of a 640x360 frame, each pixel the mean luma of its 10x10 block", () => {
    const t = thumb(frame(100, [[0, 0, 10, 10, 200], [630, 350, 10, 5, 0]]));
    expect([t.width, t.height]).toEqual([64, 36]);
    expect(t.data[0]).toBe(200);
    expect(t.data[1]).toBe(100);
    expect(t.data[64 * 36 - 1]).toBe(50); // half black, half 100
    // Luma weights: pure red, green, blue.
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    expect(Array.from(greyThumb(rgb, 3, 1, 3).data)).toEqual([76, 150, 29]);
  });

  test("odd sizes: every source pixel lands in one thumbnail pixel; never larger than the source", () => {
    const t = greyThumb(new Uint8Array(101 * 57 * 3).fill(77), 101, 57);
    expect([t.width, t.height]).toEqual([64, 36]);
    expect(t.data.every((v) => v === 77)).toBe(true);
    const tiny = greyThumb(new Uint8Array(10 * 4 * 3).fill(9), 10, 4);
    expect([tiny.width, tiny.height]).toEqual([10, 4]);
  });
});

describe("difference", () => {
  test("sensor noise (±12 per channel) changes no thumbnail pixel; a person-sized change does", () => {
    const a = thumb(frame(120, [], 12, 1));
    const b = thumb(frame(120, [], 12, 2));
    expect(changedPixels(a, b, 8)).toBe(0);
    const c = thumb(frame(120, [[300, 100, 40, 120, 30]], 12, 3));
    expect(changedPixels(a, c, 8)).toBe(4 * 12);
    // A 40 px face's worth of change is just enough to count as motion.
    expect(changedPixels(a, thumb(frame(120, [[300, 100, 40, 40, 30]])), 8)).toBe(MIN_CHANGED * 4);
  });

  test("thumbnails of different sizes count as changed everywhere", () => {
    const a: GreyImage = { width: 2, height: 1, data: new Uint8Array(2) };
    const b: GreyImage = { width: 1, height: 2, data: new Uint8Array(2) };
    expect(changedPixels(a, b, 10)).toBe(2);
  });
});

describe("motion gate", () => {
  const still = thumb(frame(120));
  const moved = thumb(frame(120, [[300, 100, 40, 120, 30]]));

  test("a static scene is analysed once, then only every fullFrameMs; motion is analysed at once", () => {
    const gate = new MotionGate({ threshold: 8, fullFrameMs: 2000 });
    const reasons: string[] = [];
    for (let ts = 0; ts <= 4000; ts += 200) reasons.push(gate.check(ts, still, false).reason);
    expect(reasons.filter((r) => r !== "still")).toEqual(["first", "periodic", "periodic"]);
    expect(reasons.filter((r) => r === "still").length).toBe(18);
    expect(gate.check(4200, moved, false)).toEqual({ analyse: true, reason: "motion", changed: true });
    // The moved frame is the new reference: the person standing still there is no motion any more.
    expect(gate.check(4400, moved, false)).toEqual({ analyse: false, reason: "still", changed: false });
    expect(gate.check(4600, still, false).reason).toBe("motion");
    // After skipped frames the periodic frame may show other people; the first frame has nothing to compare.
    expect(gate.check(6600, still, false)).toEqual({ analyse: true, reason: "periodic", changed: true });
    expect(new MotionGate({ threshold: 8, fullFrameMs: 2000 }).check(0, still, false)).toEqual({ analyse: true, reason: "first", changed: false });
  });

  test("slow change adds up against the last analysed frame", () => {
    const gate = new MotionGate({ threshold: 8, fullFrameMs: 60_000 });
    gate.check(0, thumb(frame(120)), false);
    // +5 grey per frame: never above 8 between neighbours, but 10 above the reference after two frames.
    expect(gate.check(200, thumb(frame(125)), false).analyse).toBe(false);
    expect(gate.check(400, thumb(frame(130)), false).reason).toBe("motion");
  });

  test("an open track keeps frames analysed; threshold 0, no thumbnail, or a clock stepping back analyse too", () => {
    const gate = new MotionGate({ threshold: 8, fullFrameMs: 2000 });
    gate.check(0, still, false);
    expect(gate.check(200, still, true)).toEqual({ analyse: true, reason: "open_track", changed: false });
    expect(gate.check(400, undefined, false).reason).toBe("first");
    expect(gate.check(600, still, false).reason).toBe("first"); // the thumbless frame left no reference
    expect(gate.check(100, still, false).reason).toBe("periodic");
    const off = new MotionGate({ threshold: 0, fullFrameMs: 2000 });
    expect([0, 200, 400].map((ts) => off.check(ts, still, false).reason)).toEqual(["off", "off", "off"]);
    expect(off.check(600, moved, false).changed).toBe(false); // gating off: nothing is compared
  });
});
