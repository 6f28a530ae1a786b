// One place that undoes what the benchmark set up (child processes, temp folders, the bench
// database), whichever way it ends: normal exit, an error, Ctrl-C, or the overall time limit.

type Step = { name: string; run: () => Promise<void> | void };

const steps: Step[] = [];
let running: Promise<void> | undefined;

/** Registers an undo step; returns a function that runs it early (and only once). */
export function onCleanup(name: string, run: () => Promise<void> | void): () => Promise<void> {
  const step: Step = { name, run };
  steps.push(step);
  return async () => {
    const index = steps.indexOf(step);
    if (index < 0) return;
    steps.splice(index, 1);
    await run();
  };
}

/**
 * Runs the registered steps newest first; a failing step is reported and the rest still run.
 * Calls while one is in progress (a Ctrl-C during the final clean-up) share it.
 */
export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        console.error(`cleanup "${step.name}" failed:`, error instanceof Error ? error.message : error);
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

/** Cleans up and exits on SIGINT/SIGTERM, and after `limitMs` whatever is still running. */
export function guard(limitMs: number): void {
  const stop = (code: number, why: string) => {
    console.error(`\n${why}: cleaning up...`);
    void cleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stop(130, 'interrupted'));
  process.once('SIGTERM', () => stop(143, 'terminated'));
  // unref: a benchmark that finishes in time exits without waiting for this timer.
  setTimeout(() => stop(124, `time limit of ${Math.round(limitMs / 1000)} s exceeded`), limitMs).unref();
}
