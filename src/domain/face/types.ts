/** Shared shapes of the face pipeline (pure data, no I/O). */
export type Point = [number, number];

/** Box as [x, y, width, height] in image pixels, top-left origin. */
export type Box = [number, number, number, number];

export interface Detection {
  box: Box;
  score: number;
  /** Five points as seen in the image: right eye, left eye, nose tip, right mouth corner, left mouth corner. */
  landmarks: Point[];
}

/** 8-bit RGB image, interleaved, 3 bytes per pixel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}
