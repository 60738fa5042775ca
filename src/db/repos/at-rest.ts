// Queries of the at-rest encryption migration (services/at-rest.ts): embeddings still stored plain,
// and the paths of stored photos, in id order.
import { and, asc, eq, gt, isNotNull, sql, type Column } from "drizzle-orm";
import { MAGIC } from "../../lib/at-rest";
import type { Db } from "../client";
import { attendanceEvents, faceEmbeddings, faces, negativeExamples, unknownFaces } from "../schema";

export const EMBEDDING_TABLES = ["face_embeddings", "negative_examples", "unknown_faces"] as const;
export type EmbeddingTable = (typeof EMBEDDING_TABLES)[number];
/** Photos by the table that points at them: enrolled crops (faces), unknown-face crops, evidence photos. */
export const PHOTO_KINDS = ["faces", "unknown", "evidence"] as const;
export type PhotoKind = (typeof PHOTO_KINDS)[number];

const MAGIC_HEX = Buffer.from(MAGIC).toString("hex");
/** Bytes that do not start with the sealed format's magic. */
const plain = (col: Column) => sql`substring(${col} from 1 for 4) <> decode(${MAGIC_HEX}, 'hex')`;

export class AtRestRepo {
  constructor(private readonly db: Db) {}

  /**
   * Seals up to `limit` embeddings of a table that are still plain; returns how many were sealed.
   * Each row is replaced only if it still holds the bytes read (a concurrent delete or write wins).
   */
  async sealPlainEmbeddings(table: EmbeddingTable, limit: number, seal: (plain: Uint8Array) => Uint8Array): Promise<{ found: number; sealed: number }> {
    let sealed = 0;
    if (table === "face_embeddings") {
      const rows = await this.db.select().from(faceEmbeddings).where(plain(faceEmbeddings.embedding)).orderBy(asc(faceEmbeddings.faceId), asc(faceEmbeddings.modelId)).limit(limit);
      for (const r of rows) {
        const done = await this.db
          .update(faceEmbeddings)
          .set({ embedding: seal(r.embedding) })
          .where(and(eq(faceEmbeddings.faceId, r.faceId), eq(faceEmbeddings.modelId, r.modelId), eq(faceEmbeddings.embedding, r.embedding)))
          .returning({ id: faceEmbeddings.faceId });
        sealed += done.length;
      }
      return { found: rows.length, sealed };
    }
    const t = table === "negative_examples" ? negativeExamples : unknownFaces;
    const rows = await this.db.select({ id: t.id, embedding: t.embedding }).from(t).where(plain(t.embedding)).orderBy(asc(t.id)).limit(limit);
    for (const r of rows) {
      const done = await this.db
        .update(t)
        .set({ embedding: seal(r.embedding) })
        .where(and(eq(t.id, r.id), eq(t.embedding, r.embedding)))
        .returning({ id: t.id });
      sealed += done.length;
    }
    return { found: rows.length, sealed };
  }

  /** The next `limit` photo paths of a kind after row `afterId`, in id order. */
  async photosAfter(kind: PhotoKind, afterId: number, limit: number): Promise<{ id: number; path: string }[]> {
    if (kind === "evidence") {
      const rows = await this.db
        .select({ id: attendanceEvents.id, path: attendanceEvents.evidencePath })
        .from(attendanceEvents)
        .where(and(gt(attendanceEvents.id, afterId), isNotNull(attendanceEvents.evidencePath)))
        .orderBy(asc(attendanceEvents.id))
        .limit(limit);
      return rows.map((r) => ({ id: r.id, path: r.path! }));
    }
    const t = kind === "faces" ? faces : unknownFaces;
    return this.db.select({ id: t.id, path: t.cropPath }).from(t).where(gt(t.id, afterId)).orderBy(asc(t.id)).limit(limit);
  }

  /** Whether row `id` of a kind still points at `path` (it was not deleted meanwhile). */
  async photoKept(kind: PhotoKind, id: number, path: string): Promise<boolean> {
    const [t, col] = kind === "evidence" ? ([attendanceEvents, attendanceEvents.evidencePath] as const) : kind === "faces" ? ([faces, faces.cropPath] as const) : ([unknownFaces, unknownFaces.cropPath] as const);
    const rows = await this.db.select({ id: t.id }).from(t).where(and(eq(t.id, id), eq(col, path)));
    return rows.length > 0;
  }
}
