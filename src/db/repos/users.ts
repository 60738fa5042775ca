import { and, asc, count, eq, ilike, ne, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apikey, session, user } from "../schema";

/** Read side of better-auth's tables for our pages (writes go through better-auth). */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(user);
    return Number(r?.n ?? 0);
  }

  async list(opts: { q?: string; limit: number; offset: number }) {
    const where = opts.q ? or(ilike(user.name, `%${opts.q}%`), ilike(user.email, `%${opts.q}%`)) : undefined;
    const rows = await this.db.select().from(user).where(where).orderBy(asc(user.email)).limit(opts.limit).offset(opts.offset);
    const [total] = await this.db.select({ n: count() }).from(user).where(where);
    return { rows, total: Number(total?.n ?? 0) };
  }

  async get(id: string) {
    const [u] = await this.db.select().from(user).where(eq(user.id, id));
    return u ?? null;
  }

  async apiKeys(userId: string) {
    return this.db
      .select({ id: apikey.id, name: apikey.name, start: apikey.start, prefix: apikey.prefix, enabled: apikey.enabled, createdAt: apikey.createdAt, lastRequest: apikey.lastRequest })
      .from(apikey)
      .where(eq(apikey.referenceId, userId))
      .orderBy(asc(apikey.createdAt));
  }

  /** Active admins other than `exceptId` (to keep at least one). */
  async otherActiveAdmins(exceptId: string): Promise<number> {
    const [r] = await this.db
      .select({ n: count() })
      .from(user)
      .where(and(eq(user.role, "admin"), ne(user.id, exceptId), or(eq(user.banned, false), sql`${user.banned} is null`)));
    return Number(r?.n ?? 0);
  }

  async setRole(id: string, role: string) {
    await this.db.update(user).set({ role, updatedAt: new Date() }).where(eq(user.id, id));
  }

  /** Disables or re-enables an account; disabling also ends its sessions. */
  async setBanned(id: string, banned: boolean) {
    await this.db.update(user).set({ banned, banReason: banned ? "disabled by an administrator" : null, updatedAt: new Date() }).where(eq(user.id, id));
    if (banned) await this.revokeSessions(id);
  }

  /** Ends every browser session of a user (API keys are checked against the user on each request). */
  async revokeSessions(id: string): Promise<number> {
    return (await this.db.delete(session).where(eq(session.userId, id)).returning({ id: session.id })).length;
  }

  async sessionCount(id: string): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(session).where(eq(session.userId, id));
    return Number(r?.n ?? 0);
  }

  async allApiKeys() {
    return this.db
      .select({ id: apikey.id, name: apikey.name, start: apikey.start, enabled: apikey.enabled, createdAt: apikey.createdAt, lastRequest: apikey.lastRequest, userId: user.id, email: user.email, role: user.role })
      .from(apikey)
      .innerJoin(user, eq(user.id, apikey.referenceId))
      .orderBy(asc(user.email), asc(apikey.createdAt));
  }

  async deleteApiKey(id: string) {
    const [r] = await this.db.delete(apikey).where(eq(apikey.id, id)).returning({ id: apikey.id, name: apikey.name, userId: apikey.referenceId });
    return r ?? null;
  }
}
