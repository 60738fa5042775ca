import { asc, count, eq, ilike, or } from "drizzle-orm";
import type { Db } from "../client";
import { apikey, user } from "../schema";

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
}
