import { z } from "zod";
import { ChangePasswordForm, LoginForm, SetupForm } from "../../views/pages/auth";
import type { AppDeps } from "../app-env";
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from "../domain/password";
import { WindowLimiter } from "../domain/rate-limit";
import { clientIp } from "../lib/client-ip";
import { ensureDatabaseReachable, withoutApiKey } from "../lib/identity";
import { HttpError, fieldErrors, formFields } from "../lib/http";
import { actorOf, type Router } from "./router";

function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

/** The fields of a new account (setup page, admin's "create a user"); see withPasswordPolicy. */
export const accountFields = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100),
  email: z.email("Enter a valid e-mail address").max(200),
  password: z.string().min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX),
});

/** Adds the password policy to an account form, with the person's name and e-mail as known words. */
export function withPasswordPolicy<T extends z.ZodType<{ name: string; email: string; password: string }>>(schema: T) {
  return schema.superRefine((v, ctx) => {
    const why = passwordProblem(v.password, [v.name, v.email]);
    if (why) ctx.addIssue({ code: "custom", path: ["password"], message: why });
  });
}

export const setupSchema = withPasswordPolicy(accountFields);

const changePasswordSchema = z.object({
  current: z.string().min(1, "Enter your current password").max(PASSWORD_MAX),
  password: z.string().min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX),
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
    if (res.status >= 500) await ensureDatabaseReachable(c);
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
  // Changing one's own password ends every other session (a stolen cookie stops working) and keeps
  // this browser signed in with a fresh one.
  r.get("/account/password", "viewer", (c) => c.get("render").page("Change password", <ChangePasswordForm />));

  r.post("/account/password", "viewer", async (c) => {
    const me = c.get("user")!;
    if (me.viaApiKey) throw new HttpError(422, "Sign in with your password to change it; an API key cannot");
    const f = await formFields(c);
    const show = (errors: Record<string, string>) => c.get("render").page("Change password", <ChangePasswordForm errors={errors} />, { status: 422 });
    const parsed = changePasswordSchema.safeParse(f);
    if (!parsed.success) return show(fieldErrors(parsed.error));
    const why = passwordProblem(parsed.data.password, [me.name, me.email]);
    if (why) return show({ password: why });
    const res = await auth.api.changePassword({
      body: { currentPassword: parsed.data.current, newPassword: parsed.data.password, revokeOtherSessions: true },
      headers: withoutApiKey(c.req.raw.headers),
      asResponse: true,
    });
    if (res.status >= 500) await ensureDatabaseReachable(c);
    if (!res.ok) return show({ current: "This is not your current password" });
    await services.audit.record(actorOf(c), "change_password", "user", me.id, null, null);
    const page = await c.get("render").page("Change password", <ChangePasswordForm done />);
    for (const cookie of res.headers.getSetCookie()) page.headers.append("Set-Cookie", cookie);
    return page;
  });
}
