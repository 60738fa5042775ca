// What the slow tests need from the machine, checked where they first use it: a missing piece fails
// the test with its name and how to get it (as .ci/run installs it), not with an ENOENT further on.
// (ffmpeg: workers/frame-source.ts resolveFfmpeg already says how to get it.)
import { existsSync } from "node:fs";
import { join } from "node:path";

function missing(what: string, how: string): never {
  throw new Error(`This test needs ${what}: ${how}`);
}

/** The shared ONNX models (MODELS_DIR, by default ../shared/models beside the checkout); returns the folder. */
export function needModels(dir = process.env.MODELS_DIR): string {
  if (!dir || !existsSync(join(dir, "MODELS.md"))) missing("the shared face models", `set MODELS_DIR or put ../shared (models/, faces/, video/) beside the checkout (MODELS_DIR=${dir ?? "unset"})`);
  return dir;
}

/** Chromium at CHROMIUM_PATH (default /usr/bin/chromium); returns its path. */
export function needChromium(path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"): string {
  if (!existsSync(path)) missing("Chromium", `apt-get install chromium, or set CHROMIUM_PATH (now ${path})`);
  return path;
}
