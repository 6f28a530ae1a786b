// The frame every bench script shares: options or a usage error (exit 2), a log line stamped
// with the seconds since start, and a main that always cleans up and sets the exit code.
import { cleanup } from './cleanup.ts';

/** The parsed options; a parse error is printed (with the usage it carries) and exits with 2. */
export function optionsOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}

/** `[  12 s] message` on stderr, counted from `started` (Date.now()). */
export function elapsedLog(started: number): (message: string) => void {
  return (message) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

/** Runs `main`, then the clean-up whichever way it ended; a failure is reported and exits 1. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => cleanup(),
    async (error: unknown) => {
      console.error(`\n${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await cleanup();
      process.exitCode = 1;
    },
  );
}
