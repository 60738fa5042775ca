// Biometric data at rest (lib/at-rest.ts): the start-up check that the secret is the one the data was
// sealed with, and the background migration that seals what was written before encryption.
import { EMBEDDING_TABLES, PHOTO_KINDS, type AtRestRepo, type EmbeddingTable, type PhotoKind } from "../db/repos/at-rest";
import type { SettingsRepo } from "../db/repos/settings";
import type { AtRest } from "../lib/at-rest";
import type { Logger } from "../lib/log";
import type { FileQueue } from "./erasure";
import type { SealedMediaStore } from "./media";

/** The secret does not open the data this database holds. */
export class AtRestKeyError extends Error {}

const KEY_SETTING = "at_rest_key";
const MIGRATION_SETTING = "at_rest_migration";
const SYSTEM = "system";

/**
 * Fails fast when the secret (CLOCKFACE_SECRET or DATA_DIR/secret) is not the one this database's
 * biometric data was sealed with; on a database that has no key check yet, stores one.
 */
export async function checkAtRestKey(settings: SettingsRepo, atRest: AtRest): Promise<"stored" | "matches"> {
  const stored = await settings.get<{ check: string }>(KEY_SETTING);
  if (!stored) {
    await settings.set(KEY_SETTING, { check: atRest.keyCheck() }, SYSTEM);
    return "stored";
  }
  if (atRest.matches(stored.check)) return "matches";
  throw new AtRestKeyError(
    "The secret (CLOCKFACE_SECRET, or DATA_DIR/secret when it is not set) is not the one this database's face data was encrypted with. " +
      "Start Clockface with the original secret: without it the enrolled faces and face photos cannot be read.",
  );
}

interface Progress {
  /** The last row id whose photo was checked, per kind. */
  photos: Record<PhotoKind, number>;
  done: boolean;
}

export interface AtRestReport {
  /** Embeddings sealed now, per table. */
  embeddings: Record<EmbeddingTable, number>;
  /** Photos sealed now, per kind. */
  photos: Record<PhotoKind, number>;
  /** Photos already sealed, and photos whose file was missing. */
  alreadySealed: number;
  missing: number;
}

/**
 * Seals the embeddings and photos written before encryption, in batches, in the background after
 * start-up. Readers accept both forms meanwhile. Embeddings still plain are found by their first
 * bytes; photos are walked in id order with the position kept in Settings after every batch, so a
 * process killed mid-way goes on from there (a photo sealed twice is left alone: it is recognised).
 * When everything is sealed the migration records that it is done and later starts skip it.
 */
export class AtRestMigration {
  private stopping = false;
  private running: Promise<AtRestReport | null> | null = null;

  constructor(
    private readonly d: {
      repo: AtRestRepo;
      settings: SettingsRepo;
      atRest: AtRest;
      /** Enrolled crops (DATA_DIR/media) and the media store (evidence and unknown-face crops). */
      crops: SealedMediaStore;
      media: SealedMediaStore;
      /** Photos being sealed are queued as pending (a row deleted meanwhile must not get its file back). */
      files: FileQueue;
      log: Logger;
      batch?: number;
    },
  ) {}

  /** Starts the migration once; the promise settles with what it did (null: already done, stopped or failed). */
  start(): Promise<AtRestReport | null> {
    this.running ??= this.run().catch((e) => {
      this.d.log.error("at-rest encryption of older data failed; it resumes at the next start", { err: e });
      return null;
    });
    return this.running;
  }

  /** Finishes the batch in progress and stops (before the database closes). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async run(): Promise<AtRestReport | null> {
    const progress = (await this.d.settings.get<Progress>(MIGRATION_SETTING)) ?? { photos: { faces: 0, unknown: 0, evidence: 0 }, done: false };
    if (progress.done) return null;
    const batch = this.d.batch ?? 100;
    const log = this.d.log;
    log.info("at-rest encryption: sealing face data written before encryption", { resumeAfter: progress.photos });
    const report: AtRestReport = { embeddings: { face_embeddings: 0, negative_examples: 0, unknown_faces: 0 }, photos: { faces: 0, unknown: 0, evidence: 0 }, alreadySealed: 0, missing: 0 };
    const seal = (b: Uint8Array) => this.d.atRest.seal(b);
    for (const table of EMBEDDING_TABLES) {
      for (;;) {
        if (this.stopping) return null;
        const r = await this.d.repo.sealPlainEmbeddings(table, batch, seal);
        report.embeddings[table] += r.sealed;
        if (r.found) log.info("at-rest encryption: embeddings sealed", { table, batch: r.sealed, total: report.embeddings[table] });
        if (r.found < batch || r.sealed === 0) break;
      }
    }
    for (const kind of PHOTO_KINDS) {
      for (;;) {
        if (this.stopping) return null;
        const rows = await this.d.repo.photosAfter(kind, progress.photos[kind], batch);
        if (!rows.length) break;
        let sealed = 0;
        for (const { id, path } of rows) {
          const r = await this.sealPhoto(kind, id, path);
          if (r === "missing") report.missing++;
          if (r === "already") report.alreadySealed++;
          if (r === "sealed") sealed++;
        }
        report.photos[kind] += sealed;
        progress.photos[kind] = rows.at(-1)!.id;
        await this.d.settings.set(MIGRATION_SETTING, progress, SYSTEM);
        log.info("at-rest encryption: photos sealed", { kind, batch: sealed, total: report.photos[kind], upToId: progress.photos[kind] });
      }
    }
    progress.done = true;
    await this.d.settings.set(MIGRATION_SETTING, progress, SYSTEM);
    log.info("at-rest encryption: all face data is sealed", { ...report });
    return report;
  }

  /**
   * Seals one photo in place, queued as pending in the FileQueue meanwhile: when its row was deleted
   * before the overwrite (an erasure that had already deleted the file), the overwrite put the file
   * back, so it is deleted again, and after a crash in between start-up recovery deletes it.
   */
  private async sealPhoto(kind: PhotoKind, id: number, path: string): Promise<"sealed" | "already" | "missing"> {
    const store = kind === "faces" ? "faces" : "media";
    const staged = await this.d.files.stage(store, path);
    try {
      return await (kind === "faces" ? this.d.crops : this.d.media).sealInPlace(path);
    } finally {
      if (await this.d.repo.photoKept(kind, id, path)) await this.d.files.settle(staged);
      else await this.d.files.abandon(staged, store, path);
    }
  }
}
