import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { AtRest } from "../../lib/at-rest";
import type { Db } from "../client";
import { cameras, unknownFaces } from "../schema";

export type CameraRow = typeof cameras.$inferSelect;
export type CameraInsert = Omit<typeof cameras.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type UnknownFaceRow = typeof unknownFaces.$inferSelect;

/** Cameras and the unknown-faces review queue (embeddings sealed, see lib/at-rest.ts). */
export class CamerasRepo {
  constructor(
    private readonly db: Db,
    private readonly atRest: AtRest,
  ) {}

  list(): Promise<CameraRow[]> {
    return this.db.select().from(cameras).orderBy(asc(cameras.name));
  }

  async get(id: number): Promise<CameraRow | null> {
    const [r] = await this.db.select().from(cameras).where(eq(cameras.id, id));
    return r ?? null;
  }

  async insert(c: CameraInsert): Promise<CameraRow> {
    const [r] = await this.db.insert(cameras).values(c).returning();
    return r!;
  }

  async update(id: number, c: Partial<CameraInsert>): Promise<CameraRow | null> {
    const [r] = await this.db.update(cameras).set({ ...c, updatedAt: sql`now()` }).where(eq(cameras.id, id)).returning();
    return r ?? null;
  }

  async delete(id: number): Promise<CameraRow | null> {
    const [r] = await this.db.delete(cameras).where(eq(cameras.id, id)).returning();
    return r ?? null;
  }

  async insertUnknown(u: { cameraId: number | null; ts: Date; cropPath: string; modelId: string; embedding: Float32Array; groupId: number | null; kind: "unknown" | "uncertain"; personId: number | null; similarity: number | null; trackId: string | null }): Promise<UnknownFaceRow> {
    const [r] = await this.db.insert(unknownFaces).values({ ...u, embedding: this.atRest.sealEmbedding(u.embedding) }).returning();
    return r!;
  }

  async setGroup(id: number, groupId: number): Promise<number> {
    await this.db.update(unknownFaces).set({ groupId }).where(eq(unknownFaces.id, id));
    return groupId;
  }

  /** Open unknown faces with their embeddings (grouping new ones by similarity). */
  async openUnknownEmbeddings(modelId: string, limit = 5000): Promise<{ id: number; groupId: number | null; embedding: Float32Array }[]> {
    const rows = await this.db
      .select({ id: unknownFaces.id, groupId: unknownFaces.groupId, embedding: unknownFaces.embedding })
      .from(unknownFaces)
      .where(and(eq(unknownFaces.status, "open"), eq(unknownFaces.modelId, modelId)))
      .orderBy(desc(unknownFaces.id))
      .limit(limit);
    return rows.map((r) => ({ id: r.id, groupId: r.groupId, embedding: this.atRest.readEmbedding(r.embedding) }));
  }

  /** Open review groups, newest first: each group's faces (up to `perGroup`) and its size. */
  async openGroups(limit: number, offset: number): Promise<{ groupId: number; size: number; lastTs: Date; kind: string; personId: number | null; faces: UnknownFaceRow[] }[]> {
    const groups = await this.db
      .select({ groupId: unknownFaces.groupId, size: sql<number>`count(*)::int`, lastTs: sql<Date>`max(${unknownFaces.ts})`, kind: sql<string>`max(${unknownFaces.kind})`, personId: sql<number | null>`max(${unknownFaces.personId})` })
      .from(unknownFaces)
      .where(eq(unknownFaces.status, "open"))
      .groupBy(unknownFaces.groupId)
      .orderBy(desc(sql`max(${unknownFaces.ts})`))
      .limit(limit)
      .offset(offset);
    const ids = groups.map((g) => g.groupId!).filter((g) => g !== null);
    const faces = ids.length ? await this.db.select().from(unknownFaces).where(and(eq(unknownFaces.status, "open"), inArray(unknownFaces.groupId, ids))).orderBy(desc(unknownFaces.ts)) : [];
    return groups.map((g) => ({ groupId: g.groupId!, size: Number(g.size), lastTs: new Date(g.lastTs), kind: g.kind, personId: g.personId, faces: faces.filter((f) => f.groupId === g.groupId).slice(0, 8) }));
  }

  async countOpenGroups(): Promise<number> {
    const [r] = await this.db.select({ n: sql<number>`count(distinct ${unknownFaces.groupId})::int` }).from(unknownFaces).where(eq(unknownFaces.status, "open"));
    return Number(r?.n ?? 0);
  }

  groupFaces(groupId: number): Promise<UnknownFaceRow[]> {
    return this.db.select().from(unknownFaces).where(and(eq(unknownFaces.groupId, groupId), eq(unknownFaces.status, "open"))).orderBy(asc(unknownFaces.id));
  }

  async getUnknown(id: number): Promise<UnknownFaceRow | null> {
    const [r] = await this.db.select().from(unknownFaces).where(eq(unknownFaces.id, id));
    return r ?? null;
  }

  async setGroupStatus(groupId: number, status: "enrolled" | "assigned" | "dismissed", personId: number | null): Promise<number> {
    const rows = await this.db.update(unknownFaces).set({ status, personId }).where(and(eq(unknownFaces.groupId, groupId), eq(unknownFaces.status, "open"))).returning({ id: unknownFaces.id });
    return rows.length;
  }

  /** Deletes unknown faces older than `before`; returns their crop paths for the caller to erase. */
  async purgeUnknownBefore(before: Date): Promise<string[]> {
    const rows = await this.db.delete(unknownFaces).where(lt(unknownFaces.ts, before)).returning({ cropPath: unknownFaces.cropPath });
    return rows.map((r) => r.cropPath);
  }
}
