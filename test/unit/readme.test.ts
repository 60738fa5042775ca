import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configDocs } from "../../src/config";

const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");

test("README shows the two commands", () => {
  expect(readme).toContain("bun install && bun start");
  expect(readme).toContain("bun test");
});

test("README configuration table matches the config schema", () => {
  const table = readme.slice(readme.indexOf("<!-- config-table:start -->"), readme.indexOf("<!-- config-table:end -->"));
  for (const row of configDocs()) expect(table).toContain(`| \`${row.name}\` |`);
  const listed = [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  expect(listed.sort()).toEqual(configDocs().map((r) => r.name).sort());
});
