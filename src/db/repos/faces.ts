import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { AtRest } from "../../lib/at-rest";
import type { Db } from "../client";
import { faceEmbeddings, faces, fileQueue, negativeExamples, people } from "../schema";
import type { QueuedFile } from "./erasure";

export type FaceRow = typeof faces.$inferSelect;

/** Enrolled faces, their embeddings per recogniser, and "not this person" examples. Embeddings are sealed (see lib/at-rest.ts). */
export class FacesRepo {
  constructor(
    private readonly db: Db,
    private readonly atRest: AtRest,
  ) {}

  /** Stores a face and its embedding together. */
  async insert(f: { personId: number; cropPath: string; quality: unknown; source: string; modelId: string; embedding: Float32Array }): Promise<FaceRow> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(faces).values({ personId: f.personId, cropPath: f.cropPath, quality: f.quality, source: f.source }).returning();
      await tx.insert(faceEmbeddings).values({ faceId: row!.id, modelId: f.modelId, embedding: this.atRest.sealEmbedding(f.embedding) });
      return row!;
    });
  }

  listForPerson(personId: number): Promise<FaceRow[]> {
    return this.db.select().from(faces).where(eq(faces.personId, personId)).orderBy(asc(faces.id));
  }

  async get(faceId: number): Promise<FaceRow | null> {
    const [r] = await this.db.select().from(faces).where(eq(faces.id, faceId));
    return r ?? null;
  }

  /**
   * Deletes a face (its embeddings cascade) and queues its crop for deletion in the same transaction
   * (the FileQueue of services/erasure.ts deletes it after commit). Null when there was no such face.
   */
  async delete(faceId: number): Promise<QueuedFile | null> {
    return this.db.transaction(async (tx) => {
      const [r] = await tx.delete(faces).where(eq(faces.id, faceId)).returning({ cropPath: faces.cropPath });
      if (!r) return null;
      const [queued] = await tx.insert(fileQueue).values({ store: "faces", path: r.cropPath }).returning();
      return queued!;
    });
  }

  /** Every embedding of one recogniser with its face and person (gallery load at start). Inactive people are left out. */
  async embeddings(modelId: string): Promise<{ faceId: number; personId: number; embedding: Float32Array }[]> {
    const rows = await this.db
      .select({ faceId: faces.id, personId: faces.personId, embedding: faceEmbeddings.embedding })
      .from(faceEmbeddings)
      .innerJoin(faces, eq(faces.id, faceEmbeddings.faceId))
      .innerJoin(people, eq(people.id, faces.personId))
      .where(and(eq(faceEmbeddings.modelId, modelId), eq(people.active, true)));
    return rows.map((r) => ({ faceId: r.faceId, personId: r.personId, embedding: this.atRest.readEmbedding(r.embedding) }));
  }

  async embeddingsOfPerson(personId: number, modelId: string) {
    const rows = await this.db
      .select({ faceId: faces.id, embedding: faceEmbeddings.embedding })
      .from(faceEmbeddings)
      .innerJoin(faces, eq(faces.id, faceEmbeddings.faceId))
      .where(and(eq(faceEmbeddings.modelId, modelId), eq(faces.personId, personId)));
    return rows.map((r) => ({ faceId: r.faceId, embedding: this.atRest.readEmbedding(r.embedding) }));
  }

  /** Faces that have no embedding yet for a recogniser (re-embedding after a model switch). */
  async missingEmbeddings(modelId: string, limit: number, afterId = 0): Promise<FaceRow[]> {
    return this.db
      .select()
      .from(faces)
      .where(and(gt(faces.id, afterId), sql`not exists (select 1 from ${faceEmbeddings} e where e.face_id = ${faces.id} and e.model_id = ${modelId})`))
      .orderBy(asc(faces.id))
      .limit(limit);
  }

  async countMissing(modelId: string): Promise<{ missing: number; total: number }> {
    const [r] = await this.db.execute<{ missing: number; total: number }>(
      sql`select count(*) filter (where not exists (select 1 from face_embeddings e where e.face_id = f.id and e.model_id = ${modelId}))::int as missing, count(*)::int as total from faces f`,
    ).then((x) => (Array.isArray(x) ? x : (x as { rows: { missing: number; total: number }[] }).rows));
    return { missing: Number(r?.missing ?? 0), total: Number(r?.total ?? 0) };
  }

  async saveEmbeddings(rows: { faceId: number; modelId: string; embedding: Float32Array }[]) {
    if (!rows.length) return;
    await this.db
      .insert(faceEmbeddings)
      .values(rows.map((r) => ({ faceId: r.faceId, modelId: r.modelId, embedding: this.atRest.sealEmbedding(r.embedding) })))
      .onConflictDoNothing();
  }

  async insertNegative(n: { personId: number; modelId: string; embedding: Float32Array; createdBy: string }) {
    const [r] = await this.db.insert(negativeExamples).values({ ...n, embedding: this.atRest.sealEmbedding(n.embedding) }).returning({ id: negativeExamples.id });
    return r!.id;
  }

  async negatives(modelId: string) {
    const rows = await this.db.select().from(negativeExamples).where(eq(negativeExamples.modelId, modelId));
    return rows.map((r) => ({ id: r.id, personId: r.personId, embedding: this.atRest.readEmbedding(r.embedding) }));
  }

  async cropPathsOfPeople(personIds: number[]): Promise<string[]> {
    if (!personIds.length) return [];
    return (await this.db.select({ p: faces.cropPath }).from(faces).where(inArray(faces.personId, personIds))).map((r) => r.p);
  }
}
