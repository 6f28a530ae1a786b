// Events API benchmark: POST /api/events/movie against the real Kafka broker (idempotent producer,
// acks=all), at fixed concurrency levels (max throughput) and at a fixed rate (latency), plus the
// end-to-end latency from the API building the event to the consumer having stored it.
//   npm run bench:events -- --runs 3 --duration 10 --connections 10,50,100 --rate 500
// and the consumer alone: a backlog produced straight onto the topic, drained into PostgreSQL by a
// fresh events service, record by record (EVENTS_CONSUMER_MAX_BATCH=1, as before batching) and batched:
//   npm run bench:events -- --drain 50000 --drain-batches 1,500 --connections '' (consumer only)
// See bench/README.md ("Events API") for the method and recorded results.
import { intOption } from './lib/args.ts';
import { parseArgs } from 'node:util';
import { MovieEvent, PaymentEvent, UserEvent } from '@cinemaabyss/api';
import { connectPostgres } from '@cinemaabyss/db';
import { newEnvelope, openKafkaBus, toMessage } from '@cinemaabyss/event-bus';
import { CONSUMED_TOPICS } from '@cinemaabyss/events';
import { runCannon, type CannonResult } from './lib/cannon.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';
import { groupCpu, groupSnapshot, waitForQuiet, type GroupCpu, type PidGroups, type QuietReport } from './lib/cpu-groups.ts';
import { DEFAULT_POSTGRES_URL, checkPostgres, freshDatabase } from './lib/dataset.ts';
import {
  KAFKA_BROKERS,
  ensureRunning,
  highWatermarks,
  kafkaAdmin,
  kafkaPid,
  kafkaVersion,
  deleteGroup,
  recordsBetween,
  startGroupAtEnd,
  truncateTopics,
  type Watermarks,
} from './lib/infra.ts';
import { median } from './lib/load.ts';
import { runPaced, type PacedResult } from './lib/paced.ts';
import { startNodeService } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmt, fmtMs, range, writeResults } from './lib/results.ts';

const TOPIC = MovieEvent.topic;
/** The topics the events API publishes to. */
const API_TOPICS = [UserEvent.topic, MovieEvent.topic, PaymentEvent.topic];
const DB_NAME = 'cinemaabyss_bench_events';

const usage = `usage: npm run bench:events -- [--runs 3] [--duration 10] [--connections 10,50,100] [--rate 500]
       [--rate-connections 10] [--warmup 3] [--keep-records] [--drain 50000] [--drain-batches 1,500]
--drain N: before the API runs, N events per consumer run are produced onto movie-events and drained by
a fresh events service with each EVENTS_CONSUMER_MAX_BATCH of --drain-batches (0 skips it). An empty
--connections '' skips the API runs.
PostgreSQL: BENCH_DATABASE_URL (default: the server of scripts/postgres.sh; database ${DB_NAME} is
created and dropped). Kafka: BENCH_KAFKA_BROKERS (default 127.0.0.1:9092, scripts/kafka.sh).`;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10,50,100' },
      rate: { type: 'string', default: '500' },
      'rate-connections': { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      'keep-records': { type: 'boolean', default: false },
      drain: { type: 'string', default: '50000' },
      'drain-batches': { type: 'string', default: '1,500' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number, max: number) => intOption(name, raw, min, max, usage);
  return {
    runs: int('runs', values.runs, 1, 20),
    duration: int('duration', values.duration, 1, 120),
    connections: values.connections
      .split(',')
      .filter((c) => c.trim())
      .map((c) => int('connections', c.trim(), 1, 1000)),
    rate: int('rate', values.rate, 1, 20_000),
    rateConnections: int('rate-connections', values['rate-connections'], 1, 1000),
    warmup: int('warmup', values.warmup, 0, 60),
    keepRecords: values['keep-records'],
    drain: int('drain', values.drain, 0, 1_000_000),
    drainBatches: values['drain-batches'].split(',').map((c) => int('drain-batches', c.trim(), 1, 5000)),
  };
}

const options = optionsOrExit(() => parseOptions(process.argv.slice(2)));
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
const started = Date.now();
// Load, plus up to 3 minutes of consumer catch-up per max-throughput run, plus set-up.
const planned =
  options.runs * (options.connections.length * (options.duration + 180) + 2 * (options.duration + 30)) +
  options.runs * options.drainBatches.length * (options.drain / 200 + 60) +
  300;
guard(planned * 1000);

const log = elapsedLog(started);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The body the issue names, with the movie varying over 1..1000 (and so the Kafka key and partition).
let movie = 0;
const body = () => `{"movie_id":${(movie++ % 1000) + 1},"title":"bench","action":"viewed","user_id":1}`;

interface E2E {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Consumer throughput over the run's events: count / (last processed_at − first processed_at). */
  consumerPerSec: number;
}

interface DrainRecord {
  maxBatch: number;
  run: number;
  events: number;
  /** Events over the span of their processed_at: the consumer's own rate, service start excluded. */
  consumerPerSec: number;
  /** From starting the service to the last event stored. */
  wallSeconds: number;
}

function drainMarkdown(drains: DrainRecord[]): string {
  const lines = [
    '| EVENTS_CONSUMER_MAX_BATCH | runs | events per run | consumer events/s (median) | range | service start → drained (median) |',
    '|---:|---:|---:|---:|---:|---:|',
  ];
  for (const maxBatch of [...new Set(drains.map((d) => d.maxBatch))]) {
    const ds = drains.filter((d) => d.maxBatch === maxBatch);
    lines.push(
      `| ${maxBatch} | ${ds.length} | ${fmt(median(ds.map((d) => d.events)))} | ${fmt(median(ds.map((d) => d.consumerPerSec)))} | ` +
        `${range(ds.map((d) => d.consumerPerSec))} | ${fmt(median(ds.map((d) => d.wallSeconds)), 1)} s |`,
    );
  }
  return lines.join('\n');
}

interface RunRecord {
  kind: 'max' | 'rate-autocannon' | 'rate-paced';
  connections: number;
  run: number;
  quiet: QuietReport;
  /** Events per second answered 201. */
  eventsPerSec: number;
  created: number;
  byStatus: Record<string, number>;
  errors: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  cpu: GroupCpu | undefined;
  /** Seconds from the end of the run until the consumer had stored all its events. */
  catchUpSeconds: number;
  /** Records the run appended to the topic (201s, plus any event that Kafka stored after a 503). */
  records: number;
  e2e: E2E;
  paced?: { sentPerSec: number; maxLagMs: number };
}

async function main(): Promise<void> {
  log(`checking PostgreSQL and Kafka`);
  const startedPostgres = await ensureRunning('postgres', log);
  const startedKafka = await ensureRunning('kafka', log);
  const pgVersion = await checkPostgres(serverUrl);
  const dbUrl = await freshDatabase(serverUrl, DB_NAME);

  const admin = kafkaAdmin();
  onCleanup('close Kafka admin client', () => admin.close());
  // Kafka cannot delete single records: the partition is truncated up to its current end. Without it,
  // every later consumer group that starts from the earliest offset (the Kafka test suites do) would
  // first work through the hundreds of thousands of events this benchmark leaves.
  if (!options.keepRecords) {
    onCleanup(`truncate ${TOPIC}`, async () => {
      const marks = await highWatermarks(admin, [TOPIC]);
      await truncateTopics(admin, marks);
      log(`truncated ${TOPIC} up to its end offsets (${[...(marks.get(TOPIC) ?? new Map<number, bigint>()).values()].join(', ')})`);
    });
  }

  const db = connectPostgres({ url: dbUrl, poolSize: 1, connectionTimeoutMs: 5000, statementTimeoutMs: 120_000 });
  onCleanup('close bench database connection', () => db.close());

  const rangeFilter = (from: Watermarks, to?: Watermarks) => {
    const parts = [...(from.get(TOPIC) ?? new Map<number, bigint>())];
    const clauses = parts.map(([p, off]) => {
      const upper = to?.get(TOPIC)?.get(p);
      return `(partition = ${p} AND "offset" >= ${off}${upper !== undefined ? ` AND "offset" < ${upper}` : ''})`;
    });
    return `topic = '${TOPIC}' AND payload->>'title' = 'bench' AND (${clauses.join(' OR ') || 'true'})`;
  };
  const storedSince = async (from: Watermarks) =>
    (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM processed_events WHERE ${rangeFilter(from)}`)).rows[0]!.n;

  const e2eOf = async (from: Watermarks, to: Watermarks): Promise<E2E> => {
    const sql = `SELECT count(*)::int AS n,
        percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
        percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
        max(ms) AS max,
        extract(epoch FROM max(processed_at) - min(processed_at)) AS span
      FROM (SELECT processed_at, extract(epoch FROM processed_at - event_timestamp) * 1000 AS ms
            FROM processed_events WHERE ${rangeFilter(from, to)}) t`;
    const row = (await db.pool.query<Record<string, string | number | null>>(sql)).rows[0]!;
    const count = Number(row['n']);
    const span = Number(row['span']);
    return {
      count,
      p50: Number(row['p50']),
      p99: Number(row['p99']),
      max: Number(row['max']),
      consumerPerSec: span > 0 ? Math.round(count / span) : Number.NaN,
    };
  };

  /** The consumer alone: a backlog on the topic, drained by a fresh service and group; events/s over processed_at. */
  const drainRun = async (maxBatch: number, run: number): Promise<DrainRecord> => {
    const bus = await openKafkaBus({ brokers: KAFKA_BROKERS.split(','), clientId: 'cinemaabyss-bench-backlog', sendTimeoutMs: 30_000 });
    let from: Watermarks;
    try {
      await bus.ensureTopics([TOPIC]);
      from = await highWatermarks(admin, [TOPIC]);
      for (let sent = 0; sent < options.drain; sent += 5000) {
        const chunk = Array.from({ length: Math.min(5000, options.drain - sent) }, () => {
          const payload = JSON.parse(body()) as Record<string, unknown>;
          return bus.send(toMessage(TOPIC, String(payload['movie_id']), newEnvelope(MovieEvent.type, payload, 'bench')));
        });
        await Promise.all(chunk);
      }
    } finally {
      await bus.close();
    }
    const to = await highWatermarks(admin, [TOPIC]);
    const group = `cinemaabyss-bench-drain-${Date.now()}`;
    // Everything else the service consumes starts at its end: only the backlog is measured.
    const marks = await highWatermarks(admin, CONSUMED_TOPICS);
    marks.set(TOPIC, from.get(TOPIC)!);
    await startGroupAtEnd(admin, group, marks);
    const t0 = performance.now();
    const service = await startNodeService('events', '/api/events/ready', {
      DB_CONNECTION_STRING: dbUrl,
      DB_AUTO_MIGRATE: 'true',
      KAFKA_BROKERS,
      EVENTS_CONSUMER_GROUP: group,
      EVENTS_CONSUMER_MAX_BATCH: String(maxBatch),
      LOG_LEVEL: 'warn',
    });
    try {
      while ((await storedSince(from)) < options.drain) {
        if (performance.now() - t0 > 600_000) throw new Error('the consumer did not drain the backlog within 600 s');
        await sleep(250);
      }
    } finally {
      await service.stop();
      await deleteGroup(admin, group).catch(() => {});
    }
    const e2e = await e2eOf(from, to);
    return { maxBatch, run, events: e2e.count, consumerPerSec: e2e.consumerPerSec, wallSeconds: Math.round((performance.now() - t0) / 100) / 10 };
  };

  const drains: DrainRecord[] = [];
  const drainPhase = async () => {
    for (let run = 1; run <= options.runs; run++) {
      for (const maxBatch of options.drainBatches) {
        const r = await drainRun(maxBatch, run);
        drains.push(r);
        log(
          `consumer drain, EVENTS_CONSUMER_MAX_BATCH=${maxBatch}, run ${run}/${options.runs}: ${fmt(r.consumerPerSec)} events/s (${r.events} events, ${r.wallSeconds} s from service start)`,
        );
      }
    }
    console.log(drainMarkdown(drains));
  };
  if (options.drain > 0) await drainPhase();
  if (options.connections.length === 0) {
    const date = new Date(started).toISOString();
    const command = ['npm run bench:events', '--', ...process.argv.slice(2)].join(' ');
    const file = await writeResults('events', date, { date, command, machine: machine(), options, loadAverage: { start: startLoad, end: load1() }, drains });
    log(`done (consumer drain only); raw results in ${file}`);
    return;
  }

  const group = `cinemaabyss-bench-events-${Date.now()}`;
  const initial = await highWatermarks(admin, API_TOPICS);
  await startGroupAtEnd(admin, group, initial);
  onCleanup(`delete consumer group ${group}`, () => deleteGroup(admin, group));

  log(`starting the events service (consumer group ${group})`);
  const service = await startNodeService('events', '/api/events/ready', {
    DB_CONNECTION_STRING: dbUrl,
    DB_AUTO_MIGRATE: 'true',
    KAFKA_BROKERS,
    EVENTS_CONSUMER_GROUP: group,
    LOG_LEVEL: 'warn',
  });
  // The service's PostgreSQL backends (its pool, not this process's own connection).
  let backends: number[] = [];
  const refreshBackends = async () => {
    const sql = 'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
    backends = (await db.pool.query<{ pid: number }>(sql)).rows.map((r) => r.pid);
  };
  const broker = kafkaPid();
  const groups = (): PidGroups => ({ events: [service.pid], kafka: broker ? [broker] : [], postgres: backends });

  const processedMetric = async (): Promise<number> => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`events_processed_total{topic="${TOPIC}",type="movie"`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  /** Waits until the consumer has stored `expected` bench events appended since `from`; returns seconds. */
  const catchUp = async (from: Watermarks, baseline: number, expected: number): Promise<number> => {
    const t0 = performance.now();
    const deadline = t0 + 300_000;
    // The counter is cheap to poll; it also counts foreign events on the topic, so the database confirms.
    while ((await processedMetric()) < baseline + expected) {
      if (performance.now() > deadline) throw new Error(`consumer did not catch up within 300 s`);
      await sleep(100);
    }
    while ((await storedSince(from)) < expected) {
      if (performance.now() > deadline) throw new Error(`consumer did not catch up within 300 s`);
      await sleep(250);
    }
    return Math.round((performance.now() - t0) / 100) / 10;
  };

  /** One load run: quiet window, load with CPU accounting, consumer catch-up, end-to-end figures. */
  const measure = async (kind: RunRecord['kind'], connections: number, run: number, duration: number): Promise<RunRecord> => {
    await refreshBackends();
    const quiet = await waitForQuiet(groups, { windowSeconds: 2, maxWaitSeconds: 60, log });
    const from = await highWatermarks(admin, [TOPIC]);
    const baseline = await processedMetric();
    const pids = groups();
    const before = groupSnapshot(pids);
    const target = { url: service.url, method: 'POST' as const, path: () => '/api/events/movie', body, okStatus: 201 };
    let result: CannonResult | PacedResult;
    let paced: RunRecord['paced'];
    if (kind === 'max') {
      result = await runCannon({ ...target, connections, duration });
    } else if (kind === 'rate-autocannon') {
      result = await runCannon({ ...target, connections, duration, overallRate: options.rate });
    } else {
      const r = await runPaced({ ...target, connections, duration, rate: options.rate });
      paced = { sentPerSec: r.sentPerSec, maxLagMs: r.maxLagMs };
      result = r;
    }
    const cpu = groupCpu(before, groupSnapshot(pids));
    const catchUpSeconds = await catchUp(from, baseline, result.ok);
    await sleep(200); // answers still in flight when the generator stopped
    const to = await highWatermarks(admin, [TOPIC]);
    const e2e = await e2eOf(from, to);
    const seconds = 'seconds' in result ? result.seconds : duration;
    const record: RunRecord = {
      kind,
      connections,
      run,
      quiet,
      eventsPerSec: result.ok / seconds,
      created: result.ok,
      byStatus: result.byStatus,
      errors: result.errors + ('timeouts' in result ? result.timeouts : 0),
      latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      cpu,
      catchUpSeconds,
      records: recordsBetween(from, to),
      e2e,
      ...(paced ? { paced } : {}),
    };
    return record;
  };

  const describe = (r: RunRecord) => {
    const non = Object.entries(r.byStatus).filter(([code]) => code !== '201');
    const c = r.cpu;
    return (
      `${fmt(r.eventsPerSec, 0)} events/s, p50 ${fmtMs(r.latency.p50)} ms, p99 ${fmtMs(r.latency.p99)} ms` +
      (non.length || r.errors ? `, non-201 ${JSON.stringify(Object.fromEntries(non))} errors ${r.errors}` : '') +
      `; consumer caught up ${r.catchUpSeconds} s later, e2e p50 ${fmtMs(r.e2e.p50)} p99 ${fmtMs(r.e2e.p99)} ms` +
      (c
        ? `; cores: events ${c.groups['events']}, kafka ${c.groups['kafka']}, pg ${c.groups['postgres']}, load gen ${c.loadGenerator}, other ${c.other}`
        : '') +
      ` (quiet before: ${r.quiet.other})`
    );
  };

  if (options.warmup > 0) {
    log(`warm-up: ${options.warmup} s at 50 connections (not recorded)`);
    const from = await highWatermarks(admin, [TOPIC]);
    const baseline = await processedMetric();
    const w = await runCannon({
      url: service.url,
      method: 'POST',
      path: () => '/api/events/movie',
      body,
      okStatus: 201,
      connections: 50,
      duration: options.warmup,
    });
    const s = await catchUp(from, baseline, w.ok);
    log(`warm-up: ${fmt(w.okPerSec)} events/s; consumer caught up ${s} s after`);
  }

  const runs: RunRecord[] = [];
  for (let run = 1; run <= options.runs; run++) {
    for (const connections of options.connections) {
      const r = await measure('max', connections, run, options.duration);
      runs.push(r);
      log(`max c=${connections} run ${run}/${options.runs}: ${describe(r)}`);
    }
    for (const kind of ['rate-autocannon', 'rate-paced'] as const) {
      const r = await measure(kind, options.rateConnections, run, options.duration);
      runs.push(r);
      log(`${kind} ${options.rate}/s run ${run}/${options.runs}: ${describe(r)}`);
    }
  }

  const summary = summarize(runs);
  const report = {
    date: new Date(started).toISOString(),
    command: ['npm run bench:events', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: machine(),
    versions: { node: process.version, kafka: kafkaVersion(), postgres: pgVersion },
    infrastructure: { startedPostgres, startedKafka, consumerGroup: group, database: DB_NAME, brokers: KAFKA_BROKERS },
    options,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    loadAverage: { start: startLoad, end: load1() },
    summary,
    runs,
  };
  const file = await writeResults('events', report.date, report);
  console.log(markdown(report.date, summary));
  console.log(
    `\nMachine: ${report.machine.cores} cores, ${report.machine.cpu}, Node ${report.machine.node}; Kafka ${report.versions.kafka}; PostgreSQL ${pgVersion}`,
  );
  console.log(`Load average (1 min): ${report.loadAverage.start} at start, ${report.loadAverage.end} at end`);
  log(`done in ${report.elapsedSeconds} s; raw results in ${file}`);
}

const startLoad = load1();

interface Row {
  kind: RunRecord['kind'];
  connections: number;
  runs: number;
  eventsPerSec: number;
  eventsPerSecRange: string;
  p50: number;
  p99: number;
  non201: Record<string, number>;
  errors: number;
  catchUpSeconds: number;
  e2eP50: number;
  e2eP99: number;
  e2eMax: number;
  consumerPerSec: number;
  cores: { events: number; kafka: number; postgres: number; loadGenerator: number; other: number } | undefined;
  quietMax: number;
}

function summarize(runs: RunRecord[]) {
  const keys = [...new Set(runs.map((r) => `${r.kind}:${r.connections}`))];
  const rows: Row[] = keys.map((key) => {
    const rs = runs.filter((r) => `${r.kind}:${r.connections}` === key);
    const of = (pick: (r: RunRecord) => number) => median(rs.map(pick));
    const non201: Record<string, number> = {};
    for (const r of rs) for (const [code, n] of Object.entries(r.byStatus)) if (code !== '201') non201[code] = (non201[code] ?? 0) + n;
    const cpus = rs.flatMap((r) => (r.cpu ? [r.cpu] : []));
    const cpuOf = (pick: (c: GroupCpu) => number) => median(cpus.map(pick));
    return {
      kind: rs[0]!.kind,
      connections: rs[0]!.connections,
      runs: rs.length,
      eventsPerSec: of((r) => r.eventsPerSec),
      eventsPerSecRange: range(rs.map((r) => r.eventsPerSec)),
      p50: of((r) => r.latency.p50),
      p99: of((r) => r.latency.p99),
      non201,
      errors: rs.reduce((s, r) => s + r.errors, 0),
      catchUpSeconds: of((r) => r.catchUpSeconds),
      e2eP50: of((r) => r.e2e.p50),
      e2eP99: of((r) => r.e2e.p99),
      e2eMax: of((r) => r.e2e.max),
      consumerPerSec: of((r) => r.e2e.consumerPerSec),
      cores: cpus.length
        ? {
            events: cpuOf((c) => c.groups['events'] ?? 0),
            kafka: cpuOf((c) => c.groups['kafka'] ?? 0),
            postgres: cpuOf((c) => c.groups['postgres'] ?? 0),
            loadGenerator: cpuOf((c) => c.loadGenerator),
            other: cpuOf((c) => c.other),
          }
        : undefined,
      quietMax: Math.max(...rs.map((r) => r.quiet.other)),
    };
  });
  const best = Math.max(...rows.filter((r) => r.kind === 'max').map((r) => r.eventsPerSec));
  const rated = rows.find((r) => r.kind === 'rate-autocannon');
  const paced = rows.find((r) => r.kind === 'rate-paced');
  return {
    rows,
    targets: {
      throughput: { target: 5000, best, met: best >= 5000 },
      p99AtRate: {
        target: 20,
        rate: options.rate,
        autocannon: rated?.p99,
        paced: paced?.p99,
        met: rated !== undefined && paced !== undefined && rated.p99 < 20 && paced.p99 < 20,
      },
    },
  };
}

function markdown(date: string, summary: ReturnType<typeof summarize>): string {
  const non = (r: Row) => {
    const entries = Object.entries(r.non201);
    return entries.length === 0 && r.errors === 0 ? '0' : [...entries.map(([c, n]) => `${n}× ${c}`), ...(r.errors ? [`${r.errors} errors`] : [])].join(', ');
  };
  const cores = (r: Row) =>
    r.cores ? [r.cores.events, r.cores.kafka, r.cores.postgres, r.cores.loadGenerator, r.cores.other].map((n) => fmt(n, 2)).join(' / ') : '–';
  const lines = [
    `Events API, ${date.slice(0, 10)}: POST /api/events/movie, Kafka acks=all, medians of ${options.runs} runs × ${options.duration} s.`,
    '',
    '**Max throughput (closed loop, autocannon)**',
    '',
    '| Connections | events/s (201) | range (runs) | p50 ms | p99 ms | non-201 (all runs) | consumer caught up after | consumer events/s | cores: events / kafka / pg / load gen. / other |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of summary.rows.filter((x) => x.kind === 'max')) {
    lines.push(
      `| ${r.connections} | ${fmt(r.eventsPerSec)} | ${r.eventsPerSecRange} | ${fmtMs(r.p50)} | ${fmtMs(r.p99)} | ${non(r)} | ` +
        `${fmt(r.catchUpSeconds, 1)} s | ${fmt(r.consumerPerSec)} | ${cores(r)} |`,
    );
  }
  lines.push(
    '',
    `**Fixed rate ${options.rate} events/s, ${options.rateConnections} connections**`,
    '',
    '| Load | events/s (201) | p50 ms | p99 ms | non-201 | end-to-end p50 ms | end-to-end p99 ms | end-to-end max ms | cores: events / kafka / pg / load gen. / other |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const labels = { 'rate-autocannon': 'autocannon `overallRate` (bursts each second)', 'rate-paced': 'open loop, evenly paced' } as const;
  for (const r of summary.rows.filter((x) => x.kind !== 'max')) {
    lines.push(
      `| ${labels[r.kind as keyof typeof labels]} | ${fmt(r.eventsPerSec)} | ${fmtMs(r.p50)} | ${fmtMs(r.p99)} | ${non(r)} | ` +
        `${fmtMs(r.e2eP50)} | ${fmtMs(r.e2eP99)} | ${fmtMs(r.e2eMax)} | ${cores(r)} |`,
    );
  }
  const t = summary.targets;
  lines.push(
    '',
    `Target ≥ 5,000 events/s: **${t.throughput.met ? 'met' : 'not met'}** (best median ${fmt(t.throughput.best)} events/s).`,
    `Target p99 < 20 ms at ${t.p99AtRate.rate} events/s: **${t.p99AtRate.met ? 'met' : 'not met'}** ` +
      `(autocannon ${fmtMs(t.p99AtRate.autocannon ?? Number.NaN)} ms, paced ${fmtMs(t.p99AtRate.paced ?? Number.NaN)} ms).`,
  );
  const disturbed = summary.rows.filter((r) => (r.cores?.other ?? 0) > 0.25 || r.quietMax > 0.25);
  if (disturbed.length > 0) {
    lines.push('', `**Warning:** other work used > 0.25 cores during or before: ${disturbed.map((r) => `${r.kind} c=${r.connections}`).join(', ')}.`);
  }
  return lines.join('\n');
}

runBench('bench:events', main);
