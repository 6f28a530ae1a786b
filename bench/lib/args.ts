import { parseArgs } from 'node:util';

export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

// `health` (no database) is optional: it shows the HTTP ceiling of the service on this machine.
export const SCENARIOS = ['list', 'by-id', 'health'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  runs: number;
  /** Seconds per measured run. */
  duration: number;
  connections: number;
  /** Seconds of discarded load per scenario before the measured runs. */
  warmup: number;
  movies: number;
  backends: Backend[];
  scenarios: ScenarioName[];
}

const usage = `usage: npm run bench:movies -- [--runs 5] [--duration 10] [--connections 10] [--warmup 3]
       [--movies 10000] [--backends pglite,postgres] [--scenarios list,by-id[,health]]
PostgreSQL: BENCH_DATABASE_URL (default: the server of scripts/postgres.sh); the benchmark
creates and drops the database cinemaabyss_bench on that server.`;

/** An integer option within bounds; the error names the option and repeats the script's usage. */
export function intOption(name: string, raw: string, min: number, max: number, help: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer in ${min}..${max}, got "${raw}"\n${help}`);
  }
  return value;
}

const positiveInt = (name: string, raw: string, min: number, max: number) => intOption(name, raw, min, max, usage);

function list<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (items.length === 0 || bad.length > 0) {
    throw new Error(`--${name}: unknown "${bad.join(',')}"; choose from ${allowed.join(',')}\n${usage}`);
  }
  return [...new Set(items)] as T[];
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      movies: { type: 'string', default: '10000' },
      backends: { type: 'string', default: BACKENDS.join(',') },
      scenarios: { type: 'string', default: 'list,by-id' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return {
    runs: positiveInt('runs', values.runs, 1, 50),
    duration: positiveInt('duration', values.duration, 1, 300),
    connections: positiveInt('connections', values.connections, 1, 500),
    warmup: positiveInt('warmup', values.warmup, 0, 60),
    // At least the 5 sample movies, which the data set keeps (see dataset.ts).
    movies: positiveInt('movies', values.movies, 5, 1_000_000),
    backends: list('backends', values.backends, BACKENDS),
    scenarios: list('scenarios', values.scenarios, SCENARIOS),
  };
}

/**
 * Integer options, each with its default and bounds (`{runs: [5, 1, 20]}`), parsed strictly from
 * `argv`: the values, or an Error naming the option and the usage (see script.ts optionsOrExit).
 */
export function intOptions<K extends string>(argv: string[], spec: Record<K, [value: number, min: number, max: number]>, usage: string): Record<K, number> {
  const names = Object.keys(spec) as K[];
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(names.map((name) => [name, { type: 'string', default: String(spec[name][0]) }])) as Record<
      string,
      { type: 'string'; default: string }
    >,
    strict: true,
  });
  return Object.fromEntries(names.map((name) => [name, intOption(name, String(values[name]), spec[name][1], spec[name][2], usage)])) as Record<K, number>;
}
