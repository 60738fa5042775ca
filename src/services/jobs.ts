/** Background jobs with progress, kept in memory for pages that poll them (CSV import, re-embedding). */
export interface Job<T> {
  id: string;
  ownerId: string;
  kind: string;
  done: number;
  total: number;
  finished: boolean;
  startedAt: number;
  error?: string;
  result?: T;
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job<unknown>>();
  constructor(private readonly keep = 50) {}

  /** Starts `work` without awaiting it; the job records progress, result or a safe error message. */
  start<T>(kind: string, ownerId: string, work: (progress: (done: number, total: number) => void) => Promise<T>, describeError: (e: unknown) => string | null): Job<T> {
    const job: Job<T> = { id: crypto.randomUUID(), ownerId, kind, done: 0, total: 0, finished: false, startedAt: Date.now() };
    this.jobs.set(job.id, job as Job<unknown>);
    while (this.jobs.size > this.keep) this.jobs.delete(this.jobs.keys().next().value!);
    work((done, total) => {
      job.done = done;
      job.total = total;
    })
      .then((r) => {
        job.result = r;
      })
      .catch((e) => {
        job.error = describeError(e) ?? "The job failed; the problem was logged";
      })
      .finally(() => {
        job.finished = true;
      });
    return job;
  }

  get<T>(id: string, ownerId: string): Job<T> | null {
    const j = this.jobs.get(id);
    return j && j.ownerId === ownerId ? (j as Job<T>) : null;
  }

  /** Resolves when every running job has finished (shutdown, tests). */
  async idle(): Promise<void> {
    while ([...this.jobs.values()].some((j) => !j.finished)) await Bun.sleep(20);
  }
}
