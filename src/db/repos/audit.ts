import { and, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { auditLog } from "../schema";

export interface Actor {
  id: string | null;
  label: string;
  requestId?: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, label: "system" };

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

/** The audit log: who changed what, with before/after snapshots. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async record(
    actor: Actor,
    action: string,
    entity: string,
    entityId: string | number | null,
    before: unknown,
    after: unknown,
    tx: Db = this.db,
  ): Promise<void> {
    await tx.insert(auditLog).values({
      actorId: actor.id,
      actorLabel: actor.label,
      action,
      entity,
      entityId: entityId === null ? null : String(entityId),
      before: before ?? null,
      after: after ?? null,
      requestId: actor.requestId ?? null,
    });
  }

  async list(f: AuditFilter = {}) {
    const where: SQL[] = [];
    if (f.entity) where.push(eq(auditLog.entity, f.entity));
    if (f.entityId) where.push(eq(auditLog.entityId, f.entityId));
    if (f.actorId) where.push(eq(auditLog.actorId, f.actorId));
    if (f.from) where.push(gte(auditLog.at, f.from));
    if (f.to) where.push(lte(auditLog.at, f.to));
    return this.db
      .select()
      .from(auditLog)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(f.limit ?? 50)
      .offset(f.offset ?? 0);
  }

  /** Kinds of records that have audit entries, for the filter. */
  async entities(): Promise<string[]> {
    const rows = await this.db.selectDistinct({ e: auditLog.entity }).from(auditLog).orderBy(auditLog.entity);
    return rows.map((r) => r.e);
  }
}
