// How fast a migration change reaches another gateway replica: replica A (this process, its own
// control plane and store) changes the movies route's percentage; replica B (the real gateway,
// services/gateway/src/main.ts, a child process on the same PostgreSQL database) is asked through
// its public port until its answers come from the backend the change chose.
//   npm run bench:control -- [--changes 20] [--refresh-ms 5000]
// See bench/README.md ("Control plane: change propagation").
import { once } from 'node:events';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { connectPostgres, migrate } from '@cinemaabyss/db';
import { createLogger } from '@cinemaabyss/logging';
import { createStateStore, gatewayMigrations, loadGatewayConfig, loadRouteTable, startControlPlane } from '@cinemaabyss/gateway';
import { Registry } from 'prom-client';
import { gatewayMetrics } from '../services/gateway/src/metrics.ts';
import { applyChanges } from '../services/gateway/src/control/state.ts';
import { intOption } from './lib/args.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { DEFAULT_POSTGRES_URL, checkPostgres, freshDatabase } from './lib/dataset.ts';
import { median } from './lib/load.ts';
import { startNodeService } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmtMs, writeResults } from './lib/results.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';

const usage = `usage: npm run bench:control -- [--changes 20] [--refresh-ms 5000]
PostgreSQL: BENCH_DATABASE_URL (default: the server of scripts/postgres.sh); database
cinemaabyss_bench_control is created and dropped.`;

const options = optionsOrExit(() => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { changes: { type: 'string', default: '20' }, 'refresh-ms': { type: 'string', default: '5000' } },
  });
  return {
    changes: intOption('changes', values.changes, 1, 1000, usage),
    refreshMs: intOption('refresh-ms', values['refresh-ms'], 100, 600_000, usage),
  };
});

runBench('bench:control', async () => {
  const started = Date.now();
  const log = elapsedLog(started);
  guard(10 * 60_000);
  const server = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
  const version = await checkPostgres(server);
  const url = await freshDatabase(server, 'cinemaabyss_bench_control');

  // One upstream for both backends: the gateway's X-Served-By names the backend it chose.
  const upstream = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }).listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  onCleanup('stop upstream', () => void upstream.close());
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const env = { MONOLITH_URL: upstreamUrl, MOVIES_SERVICE_URL: upstreamUrl, MIGRATION_MODE: 'random', GATEWAY_ACCESS_LOG: 'false' };

  const database = connectPostgres({ url, poolSize: 4 });
  onCleanup('close database', () => database.close());
  await migrate(database, gatewayMigrations);
  log('starting replica B (child process)');
  const b = await startNodeService('gateway', '/ready', { ...env, GATEWAY_DB_CONNECTION_STRING: url, GATEWAY_STATE_REFRESH_MS: String(options.refreshMs) });

  const logger = createLogger('bench', { level: 'warn' });
  const table = loadRouteTable(loadGatewayConfig(env));
  const store = await createStateStore(database, logger);
  const a = await startControlPlane({ table, store, metrics: gatewayMetrics(new Registry(), () => []), logger, refreshMs: options.refreshMs });
  onCleanup('close replica A', () => a.close());

  const servedBy = async (): Promise<string | null> => {
    const response = await fetch(`${b.url}/api/movies`);
    await response.arrayBuffer();
    return response.headers.get('x-served-by');
  };
  const commits: number[] = [];
  const reached: number[] = [];
  for (let i = 0; i < options.changes; i++) {
    const percent = i % 2 === 0 ? 100 : 0;
    const expected = percent === 100 ? 'movies' : 'monolith';
    const t0 = performance.now();
    await a.change('movies', (s, now) => applyChanges(s, { percent }, now), { actor: { kind: 'person', label: 'bench' }, action: 'set', reason: `bench ${i}` });
    const committed = performance.now();
    // Mode random at 0 % or 100 %: one answer tells which split B applies.
    while ((await servedBy()) !== expected) {
      if (performance.now() - t0 > 30_000) throw new Error(`change ${i} did not reach replica B in 30 s`);
    }
    commits.push(committed - t0);
    reached.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50)); // apart, so each change is measured alone
  }
  const result = { changes: options.changes, commitMedianMs: median(commits), reachMedianMs: median(reached), reachMaxMs: Math.max(...reached) };
  console.log(`\n| changes | commit on A (median) | reached B (median) | reached B (max) |\n|---|---|---|---|`);
  console.log(`| ${result.changes} | ${fmtMs(result.commitMedianMs)} ms | ${fmtMs(result.reachMedianMs)} ms | ${fmtMs(result.reachMaxMs)} ms |`);
  const file = await writeResults('control', new Date(started).toISOString(), {
    ...result,
    commits,
    reached,
    postgres: version,
    machine: machine(),
    load1: load1(),
  });
  log(`raw figures: ${file}`);
  await b.stop();
});
