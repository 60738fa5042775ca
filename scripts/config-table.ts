// Prints the README configuration table from the zod config schema (the single source of truth).
import { configDocs } from "../src/config";

const rows = configDocs().map((r) => `| \`${r.name}\` | ${r.default === "" ? "—" : `\`${r.default}\``} | ${r.description} |`);
console.log(["| Variable | Default | Description |", "| --- | --- | --- |", ...rows].join("\n"));
