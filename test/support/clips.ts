// Test videos made from still photos: put enrolled people and strangers in front of a "camera".
import sharp from "sharp";
import { resolveFfmpeg } from "../../workers/frame-source";

export interface SlideshowOptions {
  /** How long each photo stays on screen. */
  secondsEach: number;
  /** Frame size; photos are letterboxed (aspect kept, black bars). Default 640x360. */
  width?: number;
  height?: number;
  /** Default 25. */
  fps?: number;
  /** Path of the .mp4 to write. */
  out: string;
}

/**
 * Writes an H.264 MP4 showing each photo in turn, with a keyframe every second and no B-frames
 * (like an IP camera, so an RTSP client that joins mid-stream gets a picture within a second).
 * sharp decodes the photos (EXIF rotation applied, any format, e.g. a WebP named .jpg) and letterboxes
 * them; real ffmpeg (libx264) encodes the raw frames piped to it. Returns `out`.
 */
export async function slideshow(photos: string[], opts: SlideshowOptions): Promise<string> {
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const fps = opts.fps ?? 25;
  if (photos.length === 0) throw new Error("slideshow needs at least one photo");
  const framesEach = Math.max(1, Math.round(opts.secondsEach * fps));
  const ffmpeg = await resolveFfmpeg();
  const proc = Bun.spawn(
    [
      ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
      "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${width}x${height}`, "-r", String(fps), "-i", "pipe:0",
      "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", String(fps), "-bf", "0",
      "-movflags", "+faststart", opts.out,
    ],
    { stdin: "pipe", stdout: "ignore", stderr: "pipe" },
  );
  const stderr = new Response(proc.stderr).text();
  try {
    for (const photo of photos) {
      const frame = await sharp(photo)
        .rotate()
        .resize(width, height, { fit: "contain", background: { r: 0, g: 0, b: 0 } })
        .removeAlpha()
        .toColourspace("srgb")
        .raw()
        .toBuffer();
      for (let i = 0; i < framesEach; i++) {
        proc.stdin.write(frame);
        await proc.stdin.flush();
      }
    }
  } finally {
    await proc.stdin.end();
  }
  const code = await proc.exited;
  if (code !== 0) throw new Error(`ffmpeg could not write ${opts.out} (exit ${code}): ${await stderr}`);
  return opts.out;
}
