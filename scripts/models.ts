// `bun run models [--all]`: verify the model files in MODELS_DIR (default ./models) and download the
// missing or corrupt ones — by default the ones `bun start` fetches, with --all every model in the
// manifest. Progress goes to stderr, the summary table to stdout. Exit 0 when every server model of
// the default pack verifies, 1 otherwise; optional models that fail, and the in-browser detector
// (no download URL: without it only webcam enrollment and the kiosk are unavailable), are reported.
import { resolve } from "node:path";
import { loadManifest, startModelList } from "../src/models/manifest";
import { ensureModels, type EnsureResult, type ModelProgress } from "../src/models/store";

const args = process.argv.slice(2);
if (args.some((a) => a !== "--all")) {
  console.error("usage: bun run models [--all]   (MODELS_DIR selects the folder, default ./models)");
  process.exit(2);
}

const dir = resolve(process.env.MODELS_DIR || "./models");
// By default: what `bun start` fetches (the default pack, the sized detector, the alternative recognisers).
const { required, optional } = startModelList();
const models = args.includes("--all") ? loadManifest().models : [...required, ...optional];
const progress = progressPrinter(process.stderr);
const results = await ensureModels(dir, models, { download: true, onProgress: progress.update });
progress.done();

console.log(summaryTable(models, results));
console.log(`models folder: ${dir}`);
const usable = (id: string) => ["ok", "downloaded"].includes(results[id]!.status);
for (const m of models.filter((x) => x.role === "browser_detector" && !usable(x.id)))
  console.log(`note: ${m.id} is ${results[m.id]!.status}; webcam enrollment and the kiosk need it (${m.source ?? "place it by hand"})`);
for (const m of optional.filter((x) => !usable(x.id)))
  console.log(`note: optional ${m.id} is ${results[m.id]!.status}; ${m.role === "detector" ? "detection falls back to the fixed 640x640 detector" : "switching to this recogniser is unavailable"}`);
const allGood = required.filter((m) => m.role !== "browser_detector").every((m) => usable(m.id));
process.exit(allGood ? 0 : 1);

/** Bytes as decimal megabytes with one decimal. */
function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/**
 * One progress line per (file, phase, url). On a TTY the line is redrawn in place with \r; otherwise a
 * plain line is printed each time another 10 % of the file has been processed.
 */
function progressPrinter(out: NodeJS.WriteStream) {
  const tty = out.isTTY === true;
  let key = "";
  let started = 0;
  let lastDecile = -1;
  let open = false;

  const line = (p: ModelProgress, percent: number) => {
    const seconds = Math.max((performance.now() - started) / 1000, 1e-3);
    const speed = `${mb(p.received / seconds)} MB/s`;
    const width = 20;
    const filled = Math.round((percent / 100) * width);
    const bar = tty ? `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ` : "";
    return `${p.phase.padEnd(8)} ${p.id.padEnd(24)} ${bar}${String(percent).padStart(3)}%  ${mb(p.received)}/${mb(p.total)} MB  ${speed}`;
  };

  return {
    update(p: ModelProgress) {
      const k = `${p.id}|${p.phase}|${p.url ?? ""}`;
      if (k !== key) {
        if (open) out.write("\n");
        open = false;
        key = k;
        started = performance.now();
        lastDecile = -1;
        if (p.url) out.write(`${p.id}: downloading ${p.url}\n`);
      }
      const percent = p.total > 0 ? Math.floor((p.received / p.total) * 100) : 100;
      if (tty) {
        out.write(`\r${line(p, percent)}\x1b[K`);
        open = true;
        return;
      }
      const decile = Math.floor(percent / 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        out.write(`${line(p, percent)}\n`);
      }
    },
    done() {
      if (open) out.write("\n");
      open = false;
    },
  };
}

/** Fixed-width table: model, role, status, size, file, then the reason for anything not ok. */
function summaryTable(list: typeof models, res: Record<string, EnsureResult>): string {
  const rows = list.map((m) => [m.id, m.role, res[m.id]!.status, `${mb(m.size)} MB`, m.file]);
  const header = ["model", "role", "status", "size", "file"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const reasons = list.filter((m) => res[m.id]!.reason).map((m) => `  ${m.id}: ${res[m.id]!.reason}`);
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt), ...(reasons.length ? ["", "problems:", ...reasons] : [])].join(
    "\n",
  );
}
