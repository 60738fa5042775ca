import { and, asc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { kiosks } from "../schema";

export type KioskRow = typeof kiosks.$inferSelect;

/** Kiosk devices, their pairing codes and credentials (stored as sha256 hashes only). */
export class KiosksRepo {
  constructor(private readonly db: Db) {}

  list(): Promise<KioskRow[]> {
    return this.db.select().from(kiosks).orderBy(asc(kiosks.name));
  }

  async get(id: number): Promise<KioskRow | null> {
    const [r] = await this.db.select().from(kiosks).where(eq(kiosks.id, id));
    return r ?? null;
  }

  async byName(name: string): Promise<KioskRow | null> {
    const [r] = await this.db.select().from(kiosks).where(sql`lower(${kiosks.name}) = lower(${name})`);
    return r ?? null;
  }

  async insert(k: { name: string; location: string; pairingHash: string; pairingExpiresAt: Date }): Promise<KioskRow> {
    const [r] = await this.db.insert(kiosks).values(k).returning();
    return r!;
  }

  /** A new pairing code for a device that is not revoked. */
  async setPairing(id: number, pairingHash: string, pairingExpiresAt: Date): Promise<KioskRow | null> {
    const [r] = await this.db.update(kiosks).set({ pairingHash, pairingExpiresAt }).where(and(eq(kiosks.id, id), isNull(kiosks.revokedAt))).returning();
    return r ?? null;
  }

  /**
   * Uses a pairing code: in one statement, so a code pairs one device once. The new credential
   * replaces any earlier one of the device.
   */
  async pair(pairingHash: string, tokenHash: string, now: Date): Promise<KioskRow | null> {
    const [r] = await this.db
      .update(kiosks)
      .set({ tokenHash, pairingHash: null, pairingExpiresAt: null, pairedAt: now, lastSeenAt: now })
      .where(and(eq(kiosks.pairingHash, pairingHash), gt(kiosks.pairingExpiresAt, now), isNull(kiosks.revokedAt)))
      .returning();
    return r ?? null;
  }

  async byToken(tokenHash: string): Promise<KioskRow | null> {
    const [r] = await this.db.select().from(kiosks).where(and(eq(kiosks.tokenHash, tokenHash), isNull(kiosks.revokedAt)));
    return r ?? null;
  }

  /** Records a request from the device, at most once per `everyMs`. */
  async touch(id: number, now: Date, everyMs: number): Promise<void> {
    await this.db
      .update(kiosks)
      .set({ lastSeenAt: now })
      .where(and(eq(kiosks.id, id), or(isNull(kiosks.lastSeenAt), lt(kiosks.lastSeenAt, new Date(now.getTime() - everyMs)))));
  }

  /** Revokes a device: its credential and any pending pairing code stop working. */
  async revoke(id: number, now: Date): Promise<KioskRow | null> {
    const [r] = await this.db
      .update(kiosks)
      .set({ revokedAt: now, tokenHash: null, pairingHash: null, pairingExpiresAt: null })
      .where(and(eq(kiosks.id, id), isNull(kiosks.revokedAt)))
      .returning();
    return r ?? null;
  }
}
