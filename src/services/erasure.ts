// Erasing a person completely and provably: one transaction removes every row about them,
// pseudonymises the audit log and queues their files in a durable table; the files are deleted after
// commit, and whatever a crash or an unreachable bucket left in the queue is deleted at the next
// start (and retried while running). A deleted face's crop goes through the same queue. Files
// written before their row commits (enrolled crops, evidence, unknown-face crops), and photos the
// at-rest migration rewrites, are queued as pending first, so a crash in between leaves no orphan.
import { rm, rmdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Actor, AuditService } from "../db/repos/audit";
import type { ErasureCounts, ErasureRepo, ErasureRow, FileStore, QueuedFile } from "../db/repos/erasure";
import { pseudonymFor } from "../domain/erasure";
import { HttpError } from "../lib/http";
import type { Logger } from "../lib/log";
import type { MediaStore } from "./media";
import type { PeopleService } from "./people";

/** The durable file-deletion queue over DATA_DIR/media (enrolled crops) and the media store. */
export class FileQueue {
  constructor(private readonly d: { repo: ErasureRepo; media: MediaStore; facesDir: string; log: Logger }) {}

  private facesAbs(path: string): string {
    const root = resolve(this.d.facesDir);
    const abs = resolve(root, path);
    if (!abs.startsWith(root + "/")) throw new Error("path escapes the media folder");
    return abs;
  }

  private async remove(store: FileStore, path: string): Promise<void> {
    if (store === "media") return this.d.media.remove(path);
    // A person's crop folder is queued as a whole too (recursive). A crop's folder goes once empty:
    // an enrolment that lost a race with an erasure leaves no folder named after the person.
    const abs = this.facesAbs(path);
    await rm(abs, { recursive: true, force: true });
    if (path.endsWith(".jpg")) await rmdir(dirname(abs)).catch(() => undefined);
  }

  /**
   * Before writing a file whose row is not committed yet: queue it as pending. Then `settle` once
   * the row has committed, or `abandon` when it failed.
   */
  stage(store: FileStore, path: string): Promise<number> {
    return this.d.repo.stage(store, path);
  }

  settle(id: number): Promise<void> {
    return this.d.repo.done([id]);
  }

  /**
   * Writes a file for a row that is not committed yet: queued as pending first, so a crash at any
   * point leaves no orphan; when `commit` (or the write) fails the file goes again and the error is
   * rethrown.
   */
  async writeForRow<T>(store: FileStore, path: string, write: () => Promise<void>, commit: () => Promise<T>): Promise<T> {
    const staged = await this.stage(store, path);
    let out: T;
    try {
      await write();
      out = await commit();
    } catch (e) {
      await this.abandon(staged, store, path);
      throw e;
    }
    await this.settle(staged);
    return out;
  }

  /** Deletes a file whose row did not commit (best effort: what fails stays queued for the next start). */
  async abandon(id: number, store: FileStore, path: string): Promise<void> {
    try {
      await this.remove(store, path);
      await this.d.repo.done([id]);
    } catch (e) {
      this.d.log.warn("could not delete an abandoned file; it stays queued", { store, path, err: e });
    }
  }

  /** Deletes queued files; a failure is recorded on its row, which stays for the next try. */
  async drain(files: QueuedFile[]): Promise<{ deleted: number; failed: number }> {
    const done: number[] = [];
    let failed = 0;
    for (const f of files) {
      try {
        await this.remove(f.store, f.path);
        done.push(f.id);
      } catch (e) {
        failed++;
        await this.d.repo.failed(f.id, (e as Error).message ?? String(e));
      }
    }
    await this.d.repo.done(done);
    await this.d.repo.closeErasures([...new Set(files.map((f) => f.erasureId).filter((x): x is number => x !== null))]);
    if (failed) this.d.log.warn("some queued files could not be deleted yet; they will be retried", { failed, deleted: done.length });
    return { deleted: done.length, failed };
  }

  /**
   * At start-up, before requests: a pending file whose row committed is kept (only its queue entry
   * goes); every other queued file is deleted.
   */
  async recover(): Promise<{ deleted: number; kept: number; failed: number }> {
    const all = await this.d.repo.queued(true);
    const kept: number[] = [];
    const toDelete: QueuedFile[] = [];
    for (const f of all) {
      if (f.pending && (await this.d.repo.referenced(f.store, f.path))) kept.push(f.id);
      else toDelete.push(f);
    }
    await this.d.repo.done(kept);
    const r = await this.drain(toDelete);
    if (all.length) this.d.log.info("file queue recovered", { deleted: r.deleted, kept: kept.length, failed: r.failed });
    return { ...r, kept: kept.length };
  }

  /** Retries deletions that failed (an unreachable bucket); pending writes are left alone. */
  async retry(): Promise<{ deleted: number; failed: number }> {
    return this.drain(await this.d.repo.queued(false));
  }
}

export interface ErasureReport {
  id: number;
  pseudonym: string;
  personId: number;
  erasedAt: string;
  erasedBy: string | null;
  counts: ErasureCounts;
  filesQueued: number;
  /** Files still to delete (an unreachable bucket); 0 once all are gone. */
  filesRemaining: number;
  filesDoneAt: string | null;
}

export function erasureJson(r: ErasureRow, filesRemaining: number): ErasureReport {
  return {
    id: r.id,
    pseudonym: r.pseudonym,
    personId: r.personId,
    erasedAt: r.erasedAt.toISOString(),
    erasedBy: r.erasedBy,
    counts: r.counts as ErasureCounts,
    filesQueued: r.filesQueued,
    filesRemaining,
    filesDoneAt: r.filesDoneAt ? r.filesDoneAt.toISOString() : null,
  };
}

export class ErasureService {
  constructor(private readonly d: { repo: ErasureRepo; files: FileQueue; people: PeopleService; audit: AuditService; log: Logger }) {}

  /**
   * Erases a person: rows in one transaction (with the report and the queued files), then the
   * in-memory gallery, then the files. Returns the report; 404 when the person does not exist (or
   * was erased meanwhile).
   */
  async erasePerson(personId: number, actor: Actor): Promise<ErasureReport> {
    const pseudonym = pseudonymFor(crypto.getRandomValues(new Uint8Array(4)));
    const r = await this.d.repo.erase(personId, {
      pseudonym,
      erasedBy: actor.label,
      audit: (tx, report) => this.d.audit.record(actor, "erase", "person", personId, { pseudonym }, { erasureId: report.id, counts: report.counts }, tx),
    });
    if (!r) throw new HttpError(404, `Person ${personId} does not exist`);
    await this.d.people.personErased(personId);
    const { failed } = await this.d.files.drain(r.files);
    this.d.log.info("person erased", { personId, erasureId: r.report.id, ...(r.report.counts as ErasureCounts), filesFailed: failed });
    return this.get(r.report.id);
  }

  async get(id: number): Promise<ErasureReport> {
    const r = await this.d.repo.get(id);
    if (!r) throw new HttpError(404, `Erasure report ${id} does not exist`);
    return erasureJson(r, (await this.d.repo.remaining([r])).get(r.id) ?? 0);
  }

  async list(limit: number, offset: number): Promise<{ rows: ErasureReport[]; total: number }> {
    const { rows, total } = await this.d.repo.list(limit, offset);
    const remaining = await this.d.repo.remaining(rows);
    return { rows: rows.map((r) => erasureJson(r, remaining.get(r.id) ?? 0)), total };
  }
}
