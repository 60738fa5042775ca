import { betterAuth } from "better-auth";
import { admin } from "better-auth/plugins/admin";
import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements } from "better-auth/plugins/admin/access";
import { apiKey } from "@better-auth/api-key";
import { APIError } from "better-auth/api";
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from "../domain/password";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Logger } from "../lib/log";
import { authAdapter } from "../db/auth-adapter";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type UserRole = (typeof ROLES)[number];
/**
 * Route access levels: "public" needs nothing; "kiosk" a paired kiosk device's credential, or a
 * session or API key with the operator role; the others a session or API key of that rank or higher.
 */
export type Access = "public" | "kiosk" | UserRole;

/** The least role a user needs for a route of this access level. */
export function userRoleFor(access: Exclude<Access, "public">): UserRole {
  return access === "kiosk" ? "operator" : access;
}

export function roleRank(role: string | null | undefined): number {
  const i = ROLES.indexOf((role ?? "viewer") as UserRole);
  return i < 0 ? 0 : i + 1;
}

const ac = createAccessControl(defaultStatements);
const roles = {
  admin: ac.newRole(adminAc.statements),
  operator: ac.newRole({ user: [], session: [] }),
  viewer: ac.newRole({ user: [], session: [] }),
};

export function createAuth(config: Config, db: Db, secret: string, log?: Logger) {
  const adminPlugin = admin({ ac, roles, defaultRole: "viewer", adminRoles: ["admin"] });
  // Typed loosely: @better-auth/api-key resolves its own copy of @better-auth/core's types.
  const apiKeyPlugin = apiKey({
    enableSessionForAPIKeys: true,
    apiKeyHeaders: "x-api-key",
    defaultPrefix: "cf_",
    rateLimit: { enabled: true, timeWindow: 60_000, maxRequests: config.API_KEY_RATE_LIMIT },
  }) as unknown as typeof adminPlugin;
  return betterAuth({
    appName: "Clockface",
    baseURL: config.BASE_URL,
    basePath: "/api/auth",
    logger: {
      level: "warn",
      log: (level, message) => log?.[level === "debug" ? "debug" : level === "error" ? "error" : level === "warn" ? "warn" : "info"](`better-auth: ${message}`),
    },
    secret,
    database: authAdapter(db),
    trustedOrigins: [config.BASE_URL],
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      disableSignUp: true,
      // Every password better-auth stores is hashed here, so the policy holds whatever path set it
      // (our forms check it first to show the reason next to the field).
      password: {
        hash: async (password) => {
          // Hashed either way: sign-in hashes the typed password for an unknown e-mail to take as long
          // as a real check, and a quick refusal would tell which e-mails exist.
          const hash = await hashPassword(password);
          const why = passwordProblem(password);
          if (why) throw new APIError("BAD_REQUEST", { message: why });
          return hash;
        },
        verify: verifyPassword,
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // Login throttling is done by our own limiter in front of the sign-in form and endpoint.
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: "clockface",
      useSecureCookies: config.BASE_URL.startsWith("https://"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    plugins: [adminPlugin, apiKeyPlugin],
  });
}

export type Auth = ReturnType<typeof createAuth>;
