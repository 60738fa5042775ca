// Test defaults: quiet logs; MODELS_DIR points at the shared models unless the caller set it.
import { setDefaultTimeout } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";

process.env.LOG_LEVEL ??= "silent";
const shared = join(import.meta.dir, "..", "..", "shared", "models");
if (!process.env.MODELS_DIR && existsSync(shared)) process.env.MODELS_DIR = shared;

// bunfig.toml's [test] timeout is not applied by this Bun; tests that start processes need the room.
setDefaultTimeout(60_000);
