import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startServer } from "./support/server";
import { eventually } from "./support/eventually";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const artifacts = join(import.meta.dir, "artifacts");

describe("in Chromium", () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    srv = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on("console", (m) => {
      // Validation answers are 422 on purpose; Chromium logs every 4xx as a console error.
      if (m.type() === "error" && !m.text().includes("status of 422")) problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", (d) => void d.accept());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test("a new administrator sets up, creates a department and a person, finds, edits and deletes them", async () => {
    await page.goto(`${srv.url}/`);
    await page.waitForURL(/\/setup$/);
    await page.fill("#name", "Grace Hopper");
    await page.fill("#email", "grace@example.com");
    await page.fill("#password", "a-very-long-password");
    await page.click("text=Create administrator");
    await page.waitForURL(`${srv.url}/`);
    await eventually(async () => ((await page.locator(".who").first().textContent({ timeout: 5000 })) ?? "").includes("Grace Hopper · admin"), true);

    await page.click("nav >> text=People");
    await page.click("text=Departments");
    await page.fill("#department-form-name", "");
    await page.click("button:has-text('Add department')");
    await eventually(async () => (await page.locator("#department-form .field-error").first().textContent({ timeout: 5000 }))?.trim(), "Enter a name");
    await page.fill("#department-form-name", "Engineering");
    await page.click("button:has-text('Add department')");
    await page.waitForSelector("#departments-table >> text=Engineering");

    await page.goto(`${srv.url}/people/new`);
    await page.click("button:has-text('Add person')");
    await eventually(async () => (await page.locator("#name-error").first().textContent({ timeout: 5000 }))?.trim(), "Enter a name");
    await page.fill("#name", "Alan <b>Turing</b>");
    await page.fill("#employeeCode", "E-042");
    await page.selectOption("#departmentId", { label: "Engineering" });
    await page.check("input[name=consent]");
    await page.click("button:has-text('Add person')");
    await page.waitForURL(/\/people\/\d+\?done=created$/);
    await eventually(async () => (await page.locator("h1").first().textContent({ timeout: 5000 }))?.trim(), "Alan <b>Turing</b>");
    await eventually(async () => ((await page.locator("#consent").first().textContent({ timeout: 5000 })) ?? "").includes("by grace@example.com"), true);

    for (let i = 0; i < 3; i++) {
      await page.goto(`${srv.url}/people/new`);
      await page.fill("#name", `Filler ${i}`);
      await page.fill("#employeeCode", `F-${i}`);
      await page.click("button:has-text('Add person')");
      await page.waitForURL(/done=created/);
    }

    await page.goto(`${srv.url}/people`);
    await eventually(() => page.locator("#people-table tbody tr").count(), 4);
    await page.fill("#q", "turing");
    await eventually(() => page.locator("#people-table tbody tr").count(), 1);
    await eventually(async () => /q=turing/.test(page.url()), true);
    await eventually(async () => ((await page.locator("#people-table").first().textContent({ timeout: 5000 })) ?? "").includes("E-042"), true);
    await page.screenshot({ path: join(artifacts, "people-search.png"), fullPage: true });

    await page.click("#people-table >> text=Edit");
    await page.fill("#name", "Alan Turing");
    await page.fill("#employeeCode", "F-1");
    await page.click("text=Save changes");
    await eventually(async () => ((await page.locator("#employeeCode-error").first().textContent({ timeout: 5000 })) ?? "").includes("already used"), true);
    await page.fill("#employeeCode", "E-042");
    await page.click("text=Save changes");
    await page.waitForURL(/done=saved/);
    await eventually(async () => (await page.locator("h1").first().textContent({ timeout: 5000 }))?.trim(), "Alan Turing");

    await page.click("button:has-text('Delete')");
    await page.waitForURL(/\/erasures\/\d+\?done=erased/);
    await eventually(async () => ((await page.locator(".flash").first().textContent({ timeout: 5000 })) ?? "").includes("Person erased"), true);
    await page.screenshot({ path: join(artifacts, "erasure-report.png"), fullPage: true });
    await page.goto(`${srv.url}/people`);
    await page.fill("#q", "turing");
    await eventually(async () => ((await page.locator("#people-table").first().textContent({ timeout: 5000 })) ?? "").includes("Nobody matches these filters."), true);
    await page.screenshot({ path: join(artifacts, "people-after-delete.png"), fullPage: true });
    expect(problems).toEqual([]);
  }, 90_000);
});
