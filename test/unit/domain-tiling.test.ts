import { describe, expect, test } from "bun:test";
import { containment, mergeTiled, ownedByTile, planTiles, tileStarts, TILE_MIN_SCORE } from "../../src/domain/face/tiling";
import type { Box, Detection } from "../../src/domain/face/types";

const det = (box: Box, score = 0.9): Detection => ({ box, score, landmarks: [] });

describe("tile geometry", () => {
  test("tile starts cover the length with at least the overlap between neighbours, first at 0, last flush with the end", () => {
    expect(tileStarts(600, 640, 128)).toEqual([0]);
    expect(tileStarts(640, 640, 128)).toEqual([0]);
    for (const length of [641, 1000, 1280, 1920, 2560, 4001]) {
      const s = tileStarts(length, 640, 128);
      expect(s[0]).toBe(0);
      expect(s.at(-1)! + 640).toBe(length);
      for (let i = 1; i < s.length; i++) {
        expect(s[i - 1]! + 640 - s[i]!).toBeGreaterThanOrEqual(128);
        expect(s[i]!).toBeGreaterThan(s[i - 1]!);
      }
      // One tile fewer would leave an overlap below the minimum.
      const n = s.length - 1;
      if (n >= 2) expect((n * 640 - length) / (n - 1)).toBeLessThan(128);
    }
  });

  test("no tiling while the whole-image pass keeps more than half the resolution", () => {
    expect(planTiles(1200, 630, 640 / 1200, 640, 640)).toBeNull();
    expect(planTiles(640, 480, 1, 640, 640)).toBeNull();
    expect(planTiles(1280, 720, 0.5, 640, 640)).not.toBeNull();
  });

  test("tiles see the photo at 4x the whole-image scale, never above its own pixels; their cores partition it", () => {
    const big = planTiles(8000, 6000, 0.08, 640, 640)!;
    expect(big.scale).toBeCloseTo(0.32);
    expect([big.width, big.height]).toEqual([2560, 1920]);
    expect(big.tiles.length).toBe(5 * 4);
    const mid = planTiles(1920, 1080, 1 / 3, 640, 640)!;
    expect(mid.scale).toBe(1);
    for (const plan of [big, mid]) {
      // Every pixel centre of the scaled image lies in exactly one core, and each core inside its tile.
      for (let y = 0.5; y < plan.height; y += 37) {
        for (let x = 0.5; x < plan.width; x += 41) {
          const owners = plan.tiles.filter((t) => x >= t.core[0] && x < t.core[2] && y >= t.core[1] && y < t.core[3]);
          expect(owners.length).toBe(1);
        }
      }
      for (const t of plan.tiles) {
        expect(t.core[0]).toBeGreaterThanOrEqual(t.x);
        expect(t.core[2]).toBeLessThanOrEqual(t.x + t.width);
        expect(t.x + t.width).toBeLessThanOrEqual(plan.width);
        expect(t.y + t.height).toBeLessThanOrEqual(plan.height);
        // A face no larger than the overlap whose centre is in the core lies wholly in the tile.
        expect(t.core[0] - plan.overlap / 2).toBeGreaterThanOrEqual(t.x === 0 ? -Infinity : t.x);
        if (t.x + t.width < plan.width) expect(t.core[2] + plan.overlap / 2).toBeLessThanOrEqual(t.x + t.width);
      }
    }
  });
});

describe("cross-tile merge", () => {
  const plan = planTiles(4000, 3000, 0.16, 640, 640)!;
  const [a, b] = plan.tiles;
  const boundary = a!.core[2] / plan.scale; // original-image x where tile a's core ends and b's begins

  test("a face in the overlap belongs to the one tile whose core holds its centre; a face larger than the overlap to none", () => {
    const face: Box = [boundary - 30, 100, 40, 40]; // centre left of the boundary
    expect(ownedByTile(face, a!, plan)).toBe(true);
    expect(ownedByTile(face, b!, plan)).toBe(false);
    const right: Box = [boundary - 10, 100, 40, 40];
    expect(ownedByTile(right, a!, plan)).toBe(false);
    expect(ownedByTile(right, b!, plan)).toBe(true);
    const large: Box = [20, 20, plan.overlap / plan.scale + 10, 60];
    expect(ownedByTile(large, a!, plan)).toBe(false);
  });

  test("whole-image faces stay as they are; tile faces add only new faces, once, above the score floor", () => {
    const whole = [det([100, 100, 200, 220], 0.95), det([900, 300, 60, 70], 0.8)];
    const tiled = [
      det([905, 305, 55, 66], 0.99), // the second whole-image face again
      det([120, 110, 80, 100], 0.9), // a part of the first (inside it)
      det([2000, 1500, 30, 34], 0.85), // new
      det([2002, 1501, 29, 33], 0.8), // the same new face from a neighbouring tile
      det([3000, 200, 25, 25], TILE_MIN_SCORE - 0.01), // too doubtful
      det([3500, 2500, 28, 30], 0.7 + 0.2), // new
    ];
    const merged = mergeTiled(whole, tiled);
    expect(merged).toContain(whole[0]!);
    expect(merged).toContain(whole[1]!);
    expect(merged.map((d) => d.box)).toEqual([whole[0]!.box, [3500, 2500, 28, 30], [2000, 1500, 30, 34], whole[1]!.box]);
    expect(mergeTiled(whole, [])).toEqual(whole);
  });

  test("containment is 1 for a box inside another and 0 for disjoint boxes", () => {
    expect(containment([0, 0, 100, 100], [10, 10, 20, 20])).toBe(1);
    expect(containment([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
    expect(containment([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(0.5);
  });
});
