import { z } from "zod";
import { LoginForm, SetupForm } from "../../views/pages/auth";
import type { AppDeps } from "../app-env";
import { WindowLimiter } from "../domain/rate-limit";
import { clientIp } from "../lib/client-ip";
import { withoutApiKey } from "../lib/identity";
import { fieldErrors, formFields } from "../lib/http";
import type { Router } from "./router";

function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

export const setupSchema = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100),
  email: z.email("Enter a valid e-mail address").max(200),
  password: z.string().min(10, "Use at least 10 characters").max(128),
});

export function registerAuthRoutes(r: Router, deps: AppDeps) {
  const { auth, services, config } = deps;
  const limiter = new WindowLimiter(config.LOGIN_RATE_LIMIT, 60_000);

  r.get("/login", "public", async (c) => {
    if ((await services.users.count()) === 0) return c.redirect("/setup");
    if (c.get("user")) return c.redirect(safeNext(c.req.query("next")));
    return c.get("render").page("Sign in", <LoginForm next={safeNext(c.req.query("next"))} />);
  });

  r.post("/login", "public", async (c) => {
    const next = safeNext(c.req.query("next"));
    const f = await formFields(c);
    const email = (f.email ?? "").trim().toLowerCase();
    const ip = clientIp(c);
    const gate = limiter.hit(`ip:${ip}`, Date.now());
    const gateEmail = limiter.hit(`email:${email}`, Date.now());
    if (!gate.allowed || !gateEmail.allowed) {
      const wait = Math.ceil(Math.max(gate.retryAfterMs, gateEmail.retryAfterMs) / 1000);
      c.header("Retry-After", String(wait));
      return c.get("render").page("Sign in", <LoginForm email={email} next={next} error={`Too many sign-in attempts. Try again in ${wait} s.`} />, { status: 429 });
    }
    const res = await auth.api.signInEmail({
      body: { email, password: f.password ?? "" },
      headers: withoutApiKey(c.req.raw.headers),
      asResponse: true,
    });
    // better-auth answers every failure of its own as a 500: an unreachable database becomes a 503.
    if (res.status >= 500) await services.stats.ping();
    if (!res.ok) {
      return c.get("render").page("Sign in", <LoginForm email={email} next={next} error="Wrong e-mail or password, or the account is disabled." />, { status: 401 });
    }
    const out = c.redirect(next, 303);
    for (const cookie of res.headers.getSetCookie()) out.headers.append("Set-Cookie", cookie);
    return out;
  });

  r.post("/logout", "public", async (c) => {
    const res = await auth.api.signOut({ headers: withoutApiKey(c.req.raw.headers), asResponse: true }).catch(() => null);
    const out = c.redirect("/login", 303);
    for (const cookie of res?.headers.getSetCookie() ?? []) out.headers.append("Set-Cookie", cookie);
    return out;
  });

  r.get("/setup", "public", async (c) => {
    if ((await services.users.count()) > 0) return c.redirect("/login");
    return c.get("render").page("Set up", <SetupForm />);
  });

  r.post("/setup", "public", async (c) => {
    if ((await services.users.count()) > 0) return c.redirect("/login", 303);
    const f = await formFields(c);
    const parsed = setupSchema.safeParse(f);
    if (!parsed.success) return c.get("render").page("Set up", <SetupForm values={f} errors={fieldErrors(parsed.error)} />, { status: 422 });
    await services.accounts.createUser({ ...parsed.data, role: "admin" });
    const res = await auth.api.signInEmail({ body: { email: parsed.data.email, password: parsed.data.password }, asResponse: true });
    const out = c.redirect("/", 303);
    for (const cookie of res.headers.getSetCookie()) out.headers.append("Set-Cookie", cookie);
    return out;
  });
}
