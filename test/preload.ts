// Test defaults: quiet logs; MODELS_DIR points at the shared models unless the caller set it.
import { existsSync } from "node:fs";
import { join } from "node:path";

process.env.LOG_LEVEL ??= "silent";
const shared = join(import.meta.dir, "..", "..", "shared", "models");
if (!process.env.MODELS_DIR && existsSync(shared)) process.env.MODELS_DIR = shared;
