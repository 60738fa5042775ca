import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";
import { eventually } from "./support/eventually";
import { ADMIN_ENV, cookiesFor, signIn, startServer } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const artifacts = join(import.meta.dir, "artifacts");

describe("person picker in Chromium", () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let jl2 = 0;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    srv = await startServer(ADMIN_ENV);
    const session = await signIn(srv.url);
    for (const [employeeCode, name] of [
      ["JL-1", "Jordan Lee"],
      ["JL-2", "Jordan Lee"],
      ["BO-44", "Barack Obama"],
    ]) {
      const res = await session.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, employeeCode, consent: true }) });
      if (res.status !== 201) throw new Error(`creating ${name} answered ${res.status}`);
      if (employeeCode === "JL-2") jl2 = (await res.json()).id;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addCookies(cookiesFor(session, srv.url));
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().includes("status of 422")) problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test("typing a shared name lists both namesakes with their codes; picking the second shows their timesheet", async () => {
    await page.goto(`${srv.url}/reports/timesheet`);
    await page.locator("#t-person").pressSequentially("jordan", { delay: 30 });
    const options = page.locator("#t-person-results button");
    await eventually(async () => (await options.allTextContents()).map((s) => s.replace(/\s+/g, " ").trim()), ["Jordan Lee JL-1", "Jordan Lee JL-2"]);
    await page.screenshot({ path: join(artifacts, "person-picker-results.png"), fullPage: true });
    await options.filter({ hasText: "JL-2" }).click();
    await eventually(async () => page.locator("#t-person-picker input[name=personId]").inputValue({ timeout: 5000 }), String(jl2));
    expect(await page.locator("#t-person").inputValue()).toBe("Jordan Lee");
    await page.click("form.filters button[type=submit]");
    await page.waitForURL(/\/reports\/timesheet\?/);
    await eventually(async () => (await page.locator("h1").first().textContent({ timeout: 5000 }))?.trim(), "Timesheet: Jordan Lee");
    expect(page.url()).toContain("personId=");
    expect(await page.locator("#t-person-picker input[name=personId]").inputValue()).not.toBe("");
    const submittedId = new URL(page.url()).searchParams.get("personId");
    expect(submittedId).toBe(String(jl2));
    // The picker itself fits a phone (the page around it is another matter).
    const box = await page.locator("#t-person-picker").boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
  }, 60_000);
});
