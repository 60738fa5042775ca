import { eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { settings } from "../schema";

/** Settings changed in the UI (JSON values by key); environment configuration lives in src/config.ts. */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  async get<T>(key: string): Promise<T | null> {
    const [r] = await this.db.select().from(settings).where(eq(settings.key, key));
    return r ? (r.value as T) : null;
  }

  async set(key: string, value: unknown, by: string): Promise<void> {
    await this.db
      .insert(settings)
      .values({ key, value, updatedBy: by })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedBy: by, updatedAt: sql`now()` } });
  }
}
