import { and, desc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import { type Db, rowsOf } from "../client";
import { auditSearchPatterns, pseudonymise } from "../../domain/erasure";
import { attendanceEvents, auditLog, dailyStatus, erasures, faceEmbeddings, faces, fileQueue, leaves, negativeExamples, people, unknownFaces } from "../schema";

export type FileStore = "faces" | "media";
export type QueuedFile = typeof fileQueue.$inferSelect;
export type ErasureRow = typeof erasures.$inferSelect;

/** What one erasure removed, per kind. */
export interface ErasureCounts {
  faces: number;
  embeddings: number;
  faceCrops: number;
  negatives: number;
  events: number;
  evidencePhotos: number;
  unknownFaces: number;
  unknownCrops: number;
  leaves: number;
  dailyRecords: number;
  auditRowsPseudonymised: number;
}

const QUEUE_CHUNK = 1000;

/** Erasing people in one transaction, the durable file-deletion queue, and the erasure reports. */
export class ErasureRepo {
  constructor(private readonly db: Db) {}

  /**
   * Erases a person in one transaction: locks their row (enrolments and events of theirs in flight
   * either commit first and are erased too, or fail on the foreign key afterwards), deletes every row
   * about them, pseudonymises the audit log, queues their files and stores the report. `audit` adds
   * the erasure's own audit row in the same transaction. Null when there is no such person.
   */
  async erase(
    personId: number,
    o: { pseudonym: string; erasedBy: string; audit: (tx: Db, report: ErasureRow) => Promise<void> },
  ): Promise<{ report: ErasureRow; files: QueuedFile[] } | null> {
    return this.db.transaction(async (t) => {
      const tx = t as unknown as Db;
      const [person] = await tx.select().from(people).where(eq(people.id, personId)).for("update");
      if (!person) return null;
      const faceIds = tx.select({ id: faces.id }).from(faces).where(eq(faces.personId, personId));
      const embeddings = await tx.delete(faceEmbeddings).where(inArray(faceEmbeddings.faceId, faceIds)).returning({ faceId: faceEmbeddings.faceId });
      const faceRows = await tx.delete(faces).where(eq(faces.personId, personId)).returning({ cropPath: faces.cropPath });
      const negatives = await tx.delete(negativeExamples).where(eq(negativeExamples.personId, personId)).returning({ id: negativeExamples.id });
      const events = await tx.delete(attendanceEvents).where(eq(attendanceEvents.personId, personId)).returning({ evidencePath: attendanceEvents.evidencePath });
      const unknown = await tx.delete(unknownFaces).where(eq(unknownFaces.personId, personId)).returning({ cropPath: unknownFaces.cropPath });
      const leaveRows = await tx.delete(leaves).where(eq(leaves.personId, personId)).returning({ id: leaves.id });
      const daily = await tx.delete(dailyStatus).where(eq(dailyStatus.personId, personId)).returning({ day: dailyStatus.day });

      const who = { name: person.name, employeeCode: person.employeeCode, email: person.email, notes: person.notes };
      const patterns = auditSearchPatterns(who);
      const candidates = await tx
        .select({ id: auditLog.id, entity: auditLog.entity, entityId: auditLog.entityId, before: auditLog.before, after: auditLog.after })
        .from(auditLog)
        .where(or(and(eq(auditLog.entity, "person"), eq(auditLog.entityId, String(personId))), ...patterns.flatMap((p) => [sql`${auditLog.before}::text ilike ${p}`, sql`${auditLog.after}::text ilike ${p}`])));
      let audited = 0;
      for (const row of candidates) {
        const own = row.entity === "person" && row.entityId === String(personId);
        const before = pseudonymise(row.before, who, o.pseudonym, own);
        const after = pseudonymise(row.after, who, o.pseudonym, own);
        if (before === row.before && after === row.after) continue;
        await tx.update(auditLog).set({ before, after }).where(eq(auditLog.id, row.id));
        audited++;
      }
      await tx.delete(people).where(eq(people.id, personId));

      const evidence = events.map((e) => e.evidencePath).filter((p): p is string => !!p);
      const counts: ErasureCounts = {
        faces: faceRows.length,
        embeddings: embeddings.length,
        faceCrops: faceRows.length,
        negatives: negatives.length,
        events: events.length,
        evidencePhotos: evidence.length,
        unknownFaces: unknown.length,
        unknownCrops: unknown.length,
        leaves: leaveRows.length,
        dailyRecords: daily.length,
        auditRowsPseudonymised: audited,
      };
      const queued: { store: FileStore; path: string }[] = [
        ...faceRows.map((f) => ({ store: "faces" as const, path: f.cropPath })),
        ...evidence.map((path) => ({ store: "media" as const, path })),
        ...unknown.map((u) => ({ store: "media" as const, path: u.cropPath })),
      ];
      const [report] = await tx.insert(erasures).values({ pseudonym: o.pseudonym, personId, erasedBy: o.erasedBy, counts, filesQueued: queued.length }).returning();
      // The person's crop folder too: it catches a crop whose enrolment was still being written.
      queued.push({ store: "faces", path: `faces/${personId}` });
      const files: QueuedFile[] = [];
      for (let i = 0; i < queued.length; i += QUEUE_CHUNK)
        files.push(...(await tx.insert(fileQueue).values(queued.slice(i, i + QUEUE_CHUNK).map((f) => ({ ...f, erasureId: report!.id }))).returning()));
      await o.audit(tx, report!);
      return { report: report!, files };
    });
  }

  // ------------------------------------------------------------ the file queue

  /** Queues a file about to be written before the row that refers to it commits. */
  async stage(store: FileStore, path: string): Promise<number> {
    const [r] = await this.db.insert(fileQueue).values({ store, path, pending: true }).returning({ id: fileQueue.id });
    return r!.id;
  }

  /** Every queued file (start-up), or those not pending (retries while running). */
  queued(includePending: boolean): Promise<QueuedFile[]> {
    return this.db
      .select()
      .from(fileQueue)
      .where(includePending ? undefined : eq(fileQueue.pending, false))
      .orderBy(fileQueue.id);
  }

  /** Whether a row still refers to this path (a pending write whose row committed). */
  async referenced(store: FileStore, path: string): Promise<boolean> {
    const q =
      store === "faces"
        ? sql`select 1 from ${faces} where ${faces.cropPath} = ${path} limit 1`
        : sql`select 1 from ${attendanceEvents} where ${attendanceEvents.evidencePath} = ${path} union all select 1 from ${unknownFaces} where ${unknownFaces.cropPath} = ${path} limit 1`;
    return rowsOf(await this.db.execute(q)).length > 0;
  }

  async done(ids: number[]): Promise<void> {
    if (ids.length) await this.db.delete(fileQueue).where(inArray(fileQueue.id, ids));
  }

  async failed(id: number, error: string): Promise<void> {
    await this.db
      .update(fileQueue)
      .set({ attempts: sql`${fileQueue.attempts} + 1`, lastError: error.slice(0, 500) })
      .where(eq(fileQueue.id, id));
  }

  /** Marks the erasures whose files are all gone. */
  async closeErasures(ids: number[]): Promise<void> {
    if (!ids.length) return;
    await this.db
      .update(erasures)
      .set({ filesDoneAt: sql`now()` })
      .where(and(inArray(erasures.id, ids), isNull(erasures.filesDoneAt), sql`not exists (select 1 from ${fileQueue} q where q.erasure_id = ${erasures.id})`));
  }

  // ------------------------------------------------------------ reports

  /** Files each erasure still has in the queue (its crop folder not counted). */
  async remaining(reports: ErasureRow[]): Promise<Map<number, number>> {
    const open = reports.filter((r) => !r.filesDoneAt);
    if (!open.length) return new Map();
    const rows = await this.db
      .select({ id: fileQueue.erasureId, n: sql<number>`count(*)::int` })
      .from(fileQueue)
      .where(or(...open.map((r) => and(eq(fileQueue.erasureId, r.id), ne(fileQueue.path, `faces/${r.personId}`)))))
      .groupBy(fileQueue.erasureId);
    return new Map(rows.map((r) => [r.id!, Number(r.n)]));
  }

  async get(id: number): Promise<ErasureRow | null> {
    const [r] = await this.db.select().from(erasures).where(eq(erasures.id, id));
    return r ?? null;
  }

  async list(limit: number, offset: number): Promise<{ rows: ErasureRow[]; total: number }> {
    const rows = await this.db.select().from(erasures).orderBy(desc(erasures.erasedAt), desc(erasures.id)).limit(limit).offset(offset);
    const [t] = await this.db.select({ n: sql<number>`count(*)::int` }).from(erasures);
    return { rows, total: Number(t?.n ?? 0) };
  }
}
