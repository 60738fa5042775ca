import { z } from "zod";
import { ApiKeysPage, AuditPage, SettingsPage, UsersPage } from "../../views/pages/admin";
import { ErasurePage, ErasuresPage } from "../../views/pages/erasures";
import type { AppDeps } from "../app-env";
import { HttpError, fieldErrors, formFields, idParam } from "../lib/http";
import { ROLES } from "../services/auth";
import { listQuerySchema } from "../services/schemas";
import { accountFields, withPasswordPolicy } from "./auth";
import { actorOf, isAdmin, type Router } from "./router";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";

const newUserSchema = withPasswordPolicy(accountFields.extend({ role: z.enum(ROLES, "Choose a role") }));

export function registerAdminRoutes(r: Router, deps: AppDeps, extraSettings: (c: Context<AppEnv>) => Promise<unknown>) {
  const { services, config } = deps;

  const usersPage = async (c: Context<AppEnv>, extra: { values?: Record<string, string>; errors?: Record<string, string>; flash?: string; flashBad?: boolean; status?: number } = {}) => {
    const parsed = listQuerySchema.safeParse(c.req.query());
    const q = parsed.success ? parsed.data : listQuerySchema.parse({});
    const { rows, total } = await services.users.list({ q: q.q, limit: q.limit, offset: q.offset });
    return c.get("render").page("Users", <UsersPage users={rows} total={total} limit={q.limit} offset={q.offset} q={q.q} me={c.get("user")!.id} tz={config.TZ} {...extra} />, { active: "users", status: extra.status });
  };

  r.get("/users", "admin", (c) => usersPage(c));

  r.post("/users", "admin", async (c) => {
    const f = await formFields(c);
    const parsed = newUserSchema.safeParse(f);
    if (!parsed.success) return usersPage(c, { values: f, errors: fieldErrors(parsed.error), status: 422 });
    if ((await services.users.list({ q: parsed.data.email, limit: 50, offset: 0 })).rows.some((u) => u.email === parsed.data.email.toLowerCase()))
      return usersPage(c, { values: f, errors: { email: "A user with this e-mail already exists" }, status: 422 });
    await services.accounts.createUser(parsed.data, actorOf(c));
    return usersPage(c, { flash: `Created ${parsed.data.email.toLowerCase()} (${parsed.data.role}).` });
  });

  const userAction = (action: (c: Context<AppEnv>, id: string, f: Record<string, string>) => Promise<string>) => async (c: Context<AppEnv>) => {
    const id = c.req.param("id") ?? "";
    const f = await formFields(c);
    try {
      return usersPage(c, { flash: await action(c, id, f) });
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return usersPage(c, { flash: e.message, flashBad: true, status: 422 });
      throw e;
    }
  };

  r.post(
    "/users/:id/role",
    "admin",
    userAction(async (c, id, f) => {
      const role = z.enum(ROLES).safeParse(f.role);
      if (!role.success) throw new HttpError(422, "Choose a role: viewer, operator or admin");
      await services.accounts.setRole(id, role.data, actorOf(c));
      return `Role changed to ${role.data}.`;
    }),
  );
  r.post(
    "/users/:id/password",
    "admin",
    userAction(async (c, id, f) => {
      await services.accounts.resetPassword(id, f.password ?? "", actorOf(c));
      return "Password reset; the user's sessions were ended. Give them the new password through a safe channel.";
    }),
  );
  r.post(
    "/users/:id/disable",
    "admin",
    userAction(async (c, id) => {
      await services.accounts.setDisabled(id, true, actorOf(c));
      return "Account disabled; its sessions were ended.";
    }),
  );
  r.post(
    "/users/:id/enable",
    "admin",
    userAction(async (c, id) => {
      await services.accounts.setDisabled(id, false, actorOf(c));
      return "Account enabled.";
    }),
  );

  const keysPage = async (c: Context<AppEnv>, extra: { newKey?: { name: string; key: string }; errors?: Record<string, string>; status?: number } = {}) => {
    const [keys, users] = await Promise.all([services.users.allApiKeys(), services.users.list({ limit: 500, offset: 0 })]);
    return c.get("render").page("API keys", <ApiKeysPage keys={keys} users={users.rows.filter((u) => !u.banned)} tz={config.TZ} {...extra} />, { active: "users", status: extra.status });
  };

  r.get("/api-keys", "admin", (c) => keysPage(c));

  r.post("/api-keys", "admin", async (c) => {
    const f = await formFields(c);
    const parsed = z.object({ name: z.string().trim().min(1, "Name the key after where it is used").max(100), userId: z.string().min(1, "Choose a user") }).safeParse(f);
    if (!parsed.success) return keysPage(c, { errors: fieldErrors(parsed.error), status: 422 });
    const owner = await services.users.get(parsed.data.userId);
    if (!owner || owner.banned) return keysPage(c, { errors: { userId: "Choose an active user" }, status: 422 });
    const k = await services.accounts.createApiKey(owner.id, parsed.data.name, actorOf(c));
    c.header("Cache-Control", "no-store");
    return keysPage(c, { newKey: { name: parsed.data.name, key: k.key } });
  });

  r.post("/api-keys/:id/revoke", "admin", async (c) => {
    await services.accounts.revokeApiKey(c.req.param("id") ?? "", actorOf(c));
    return keysPage(c);
  });

  r.get("/audit", "admin", async (c) => {
    const parsed = z.object({ entity: z.string().max(50).optional(), offset: z.coerce.number().int().min(0).default(0) }).safeParse(c.req.query());
    const q = parsed.success ? parsed.data : { entity: undefined, offset: 0 };
    const limit = 50;
    const entity = q.entity || undefined;
    const [rows, entities] = await Promise.all([services.audit.list({ entity, limit: limit + 1, offset: q.offset }), services.audit.entities()]);
    return c.get("render").page("Audit log", <AuditPage rows={rows.slice(0, limit)} entity={entity} entities={entities} offset={q.offset} limit={limit} hasMore={rows.length > limit} tz={config.TZ} />, { active: "settings" });
  });

  r.get("/erasures", "admin", async (c) => {
    const parsed = listQuerySchema.safeParse(c.req.query());
    const q = parsed.success ? parsed.data : listQuerySchema.parse({});
    const { rows, total } = await services.erasure.list(q.limit, q.offset);
    return c.get("render").page("Erasure log", <ErasuresPage rows={rows} total={total} limit={q.limit} offset={q.offset} tz={config.TZ} />, { active: "settings" });
  });

  // Operators erase people, so they see the report of an erasure (it names nobody).
  r.get("/erasures/:id", "operator", async (c) => {
    const report = await services.erasure.get(idParam(c));
    const flash = c.req.query("done") === "erased" ? "Person erased. Their data is gone; this report is kept." : undefined;
    return c.get("render").page(`Erasure report #${report.id}`, <ErasurePage report={report} tz={config.TZ} flash={flash} />, { active: "people" });
  });

  r.get("/settings", "viewer", async (c) => {
    const rows: [string, string][] = [
      ["Site time zone (TZ)", config.TZ],
      ["Database", deps.database.kind === "pglite" ? `embedded PGlite in ${config.DATA_DIR}` : "PostgreSQL (DATABASE_URL)"],
      ["Data directory", config.DATA_DIR],
      ["Models directory", config.MODELS_DIR],
      ["Public URL", config.BASE_URL],
      ["Largest upload", `${Math.round(config.MAX_BODY_BYTES / 1024 / 1024)} MiB`],
      ["Recognition workers", String(config.ENGINE_WORKERS)],
    ];
    return c.get("render").page(
      "Settings",
      <SettingsPage rows={rows} isAdmin={isAdmin(c)}>
        {(await extraSettings(c)) as never}
      </SettingsPage>,
      { active: "settings" },
    );
  });
}
