// The dashboard in Chromium: today's counts agree with the daily report, the arrivals chart is drawn
// by uPlot, and a new check-in appears in the feed over SSE without a reload.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";
import { eventually } from "./support/eventually";
import { ADMIN_ENV, cookiesFor, signIn, startServer, type Session } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

describe("dashboard in Chromium", () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let session: Session;
  const api = (path: string, init: RequestInit = {}) => session.api(path, { ...init, headers: { "content-type": "application/json", ...(init.headers ?? {}) } });

  beforeAll(async () => {
    srv = await startServer(ADMIN_ENV);
    session = await signIn(srv.url);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test("counts match the daily report, the chart is drawn, and the feed updates live", async () => {
    const day = new Date().toISOString().slice(0, 10); // the site time zone is UTC here
    const everyDay = Array.from({ length: 7 }, () => ({ start: "00:00", end: "23:59" }));
    const s = await (await api("/api/v1/schedules", { method: "POST", body: JSON.stringify({ name: "All day", pattern: everyDay }) })).json();
    const p = await (await api("/api/v1/people", { method: "POST", body: JSON.stringify({ name: "Grace Hopper", employeeCode: "GH", consent: true }) })).json();
    expect((await api(`/api/v1/people/${p.id}/schedule`, { method: "PUT", body: JSON.stringify({ scheduleId: s.id }) })).status).toBe(200);
    const ts = new Date(Date.now() - 5_000).toISOString();
    expect((await api("/api/v1/attendance", { method: "POST", body: JSON.stringify({ personId: p.id, kind: "check_in", ts, reason: "Forgot the badge" }) })).status).toBe(201);
    const report = await (await api(`/api/v1/reports/daily?date=${day}`)).json();

    const ctx = await browser.newContext();
    await ctx.addCookies(cookiesFor(session, srv.url));
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    // The SSE extension arrives late (as on a slow link): the feed must still connect.
    await page.route("**/assets/vendor/hx-sse.min.js", async (route) => {
      await Bun.sleep(500);
      await route.continue();
    });
    await page.goto(`${srv.url}/`);
    const card = async (label: string) => Number(await page.locator(".card", { hasText: label }).first().locator(".n").textContent());
    expect(await card("present")).toBe(report.counts.present);
    expect(await card("late")).toBe(report.counts.late);
    expect(await card("absent")).toBe(report.counts.absent);
    expect(report.counts.present + report.counts.late).toBeGreaterThanOrEqual(1);
    await eventually(async () => page.locator("#today figure.chart canvas").count(), 1, 10_000);
    expect(await page.locator("#feed .feed-item").count()).toBe(1);
    await eventually(async () => (await page.locator("#feed[hx-sse\\:connect]").count()) === 1, true);
    // A camera check-in as the camera pipeline announces it; sent until the page's SSE connection is up.
    const announce = () => srv.built.deps.services.bus.publish("attendance.created", { id: 999, personId: p.id, name: "Ada Lovelace", kind: "check_in", ts: new Date().toISOString(), source: "camera", cameraId: 1, camera: "Front door", similarity: 0.71, evidenceUrl: "/assets/favicon.svg" });
    await eventually(async () => {
      const first = (await page.locator("#feed .feed-item").first().textContent()) ?? "";
      if (!first.includes("Ada Lovelace")) announce();
      return first.includes("Ada Lovelace — checked in");
    }, true, 10_000);
    expect(await page.locator("#feed .feed-item").count()).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    await ctx.close();
  });
});
