import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Db } from "./client";
import { account, apikey, session, user, verification } from "./schema";

/** better-auth's storage on our drizzle database (the only place auth touches drizzle). */
export function authAdapter(db: Db) {
  return drizzleAdapter(db, { provider: "pg", schema: { user, session, account, verification, apikey } });
}
