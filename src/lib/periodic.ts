// A background job on a timer: first run after `firstMs`, then every `everyMs` after the previous
// run finished (runs never overlap). A failing run is reported and the schedule goes on. The timer
// does not keep the process alive; stop() cancels it and waits for a run in progress.
export interface Periodic {
  stop(): Promise<void>;
}

export function periodic(run: () => Promise<unknown>, o: { firstMs: number; everyMs: number; onError: (e: unknown) => void }): Periodic {
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout>;
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      running = run()
        .then(() => undefined, o.onError)
        .finally(() => {
          running = null;
          if (!stopped) schedule(o.everyMs);
        });
    }, ms);
    (timer as { unref?: () => void }).unref?.();
  };
  schedule(o.firstMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
