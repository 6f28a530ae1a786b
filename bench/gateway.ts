// Gateway benchmark: the same requests, upstream and load tool three ways — straight to the
// upstream, through nginx as a reverse proxy, and through the gateway with all its features on —
// then a memory soak of the gateway under constant load.
//   npm run bench:gateway -- --runs 5 --duration 10 --connections 50 --upstreams trivial,movies
//   npm run bench:gateway -- --soak-only --soak-minutes 10
// See bench/README.md ("Gateway vs nginx") for the method and recorded results.
import { intOption } from './lib/args.ts';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCannon, type CannonResult } from './lib/cannon.ts';
import { guard, onCleanup } from './lib/cleanup.ts';
import { elapsedLog, optionsOrExit, runBench } from './lib/script.ts';
import { groupCpu, groupSnapshot, rssBytes, waitForQuiet, type GroupCpu, type PidGroups, type QuietReport } from './lib/cpu-groups.ts';
import { DEFAULT_POSTGRES_URL, backendPids, checkPostgres, preparePostgres } from './lib/dataset.ts';
import { ensureRunning } from './lib/infra.ts';
import { median } from './lib/load.ts';
import { nginxVersion, startNginx, type Nginx } from './lib/nginx.ts';
import { runPaced, type PacedResult } from './lib/paced.ts';
import { freePort, startChild, startNodeService } from './lib/procs.ts';
import { load1, machine } from './lib/report.ts';
import { fmt, fmtMs, range, slope, writeResults } from './lib/results.ts';
import { startMovies } from './lib/service.ts';

const UPSTREAMS = ['trivial', 'movies'] as const;
type UpstreamKind = (typeof UPSTREAMS)[number];
const PATH = '/api/movies?id=1';
const EXTRAS = ['access-logs', 'nginx-2w', 'node-proxy'] as const;
type Extra = (typeof EXTRAS)[number];

const usage = `usage: npm run bench:gateway -- [--runs 5] [--duration 10] [--connections 50] [--warmup 3]
       [--upstreams trivial,movies] [--extras access-logs,nginx-2w,node-proxy|none]
       [--latency-rate 1000] [--latency-runs 3] [--latency-duration 5]
       [--soak-minutes 0] [--soak-rate 2000] [--soak-connections 20] [--soak-only]
       [--gateway-log file|null]
The movies upstream uses PostgreSQL (BENCH_DATABASE_URL, default: the server of scripts/postgres.sh;
database cinemaabyss_bench_gateway is created and dropped). nginx must be installed (Debian package).
--extras adds reference targets, with the trivial upstream only and without the paced runs:
access-logs: nginx writing a JSON access log (buffered) and the gateway with GATEWAY_ACCESS_LOG=false,
for like-for-like pairs; nginx-2w: nginx with 2 worker processes; node-proxy: a minimal Node reverse
proxy (bench/lib/node-proxy.ts).`;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '3' },
      upstreams: { type: 'string', default: UPSTREAMS.join(',') },
      extras: { type: 'string', default: 'access-logs,nginx-2w,node-proxy' },
      'latency-rate': { type: 'string', default: '1000' },
      'latency-runs': { type: 'string', default: '3' },
      'latency-duration': { type: 'string', default: '5' },
      'soak-minutes': { type: 'string', default: '0' },
      'soak-rate': { type: 'string', default: '2000' },
      'soak-connections': { type: 'string', default: '20' },
      'soak-only': { type: 'boolean', default: false },
      'gateway-log': { type: 'string', default: 'file' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number, max: number) => intOption(name, raw, min, max, usage);
  const upstreams = values.upstreams.split(',').map((s) => s.trim());
  const bad = upstreams.filter((u) => !(UPSTREAMS as readonly string[]).includes(u));
  if (bad.length) throw new Error(`--upstreams: unknown ${bad.join(',')}\n${usage}`);
  if (!['file', 'null'].includes(values['gateway-log'])) throw new Error(`--gateway-log must be file or null\n${usage}`);
  const extras = values.extras === 'none' ? [] : [...new Set(values.extras.split(',').map((e) => e.trim()))];
  const badExtra = extras.filter((e) => !EXTRAS.includes(e as Extra));
  if (badExtra.length) throw new Error(`--extras: unknown ${badExtra.join(',')}\n${usage}`);
  return {
    runs: int('runs', values.runs, 1, 20),
    duration: int('duration', values.duration, 1, 120),
    connections: int('connections', values.connections, 1, 1000),
    warmup: int('warmup', values.warmup, 0, 60),
    upstreams: upstreams as UpstreamKind[],
    extras: extras as Extra[],
    latencyRate: int('latency-rate', values['latency-rate'], 0, 20_000),
    latencyRuns: int('latency-runs', values['latency-runs'], 0, 20),
    latencyDuration: int('latency-duration', values['latency-duration'], 1, 120),
    soakMinutes: int('soak-minutes', values['soak-minutes'], 0, 120),
    soakRate: int('soak-rate', values['soak-rate'], 1, 50_000),
    soakConnections: int('soak-connections', values['soak-connections'], 1, 1000),
    soakOnly: values['soak-only'],
    gatewayLog: values['gateway-log'] as 'file' | 'null',
  };
}

const options = optionsOrExit(() => parseOptions(process.argv.slice(2)));
const serverUrl = process.env['BENCH_DATABASE_URL'] ?? DEFAULT_POSTGRES_URL;
const started = Date.now();
const targetsPerUpstream = 3 + options.extras.length + (options.extras.includes('access-logs') ? 1 : 0);
const comparison = options.soakOnly
  ? 0
  : options.upstreams.length *
    (120 + targetsPerUpstream * (options.warmup + options.runs * (options.duration + 15)) + 3 * options.latencyRuns * (options.latencyDuration + 15));
guard((comparison * 2 + options.soakMinutes * 60 + 300) * 1000);

const log = elapsedLog(started);

// A different user per request: the gateway buckets each one (sticky 50 % split) as in production.
let user = 0;
const headers = () => ({ 'x-user-id': String((user++ % 10_000) + 1) });

interface Upstream {
  kind: UpstreamKind;
  url: string;
  info: string;
  pids: () => { upstream: number[]; postgres: number[] };
  /** Looks up the database backends again (the service's pool grows under load). */
  refresh: () => Promise<void>;
  stop: () => Promise<void>;
}

async function startUpstream(kind: UpstreamKind): Promise<Upstream> {
  if (kind === 'trivial') {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = await startChild({
      name: 'trivial upstream',
      command: process.execPath,
      args: ['bench/lib/trivial-upstream.ts'],
      env: { ...process.env, PORT: String(port) },
      readyUrl: `${url}${PATH}`,
    });
    return {
      kind,
      url,
      info: 'node:http, fixed 278-byte JSON',
      pids: () => ({ upstream: [child.pid], postgres: [] }),
      refresh: async () => {},
      stop: child.stop,
    };
  }
  log('movies upstream: loading 10,000 movies into cinemaabyss_bench_gateway');
  const prepared = await preparePostgres(serverUrl, 10_000, 'cinemaabyss_bench_gateway');
  const service = await startMovies(prepared.env);
  let backends = await backendPids(prepared.env['DB_CONNECTION_STRING']!);
  return {
    kind,
    url: service.url,
    info: `movies service, ${prepared.info}`,
    pids: () => ({ upstream: [service.pid], postgres: backends }),
    refresh: async () => {
      backends = await backendPids(prepared.env['DB_CONNECTION_STRING']!);
    },
    stop: async () => {
      await service.stop();
      backends = [];
    },
  };
}

interface Gateway {
  url: string;
  pid: number;
  logFile: string | undefined;
  stop: () => Promise<void>;
}

async function startGateway(upstreamUrl: string, folder: string, label: string, accessLog = true): Promise<Gateway> {
  const logFile = options.gatewayLog === 'file' ? join(folder, `gateway-${label}.log`) : undefined;
  const gateway = await startNodeService(
    'gateway',
    '/ready',
    {
      LOG_LEVEL: 'info',
      MONOLITH_URL: upstreamUrl,
      MOVIES_SERVICE_URL: upstreamUrl,
      EVENTS_SERVICE_URL: upstreamUrl,
      GRADUAL_MIGRATION: 'true',
      MOVIES_MIGRATION_PERCENT: '50',
      MIGRATION_MODE: 'sticky',
      GATEWAY_OVERRIDE_SECRET: randomBytes(24).toString('hex'),
      GATEWAY_ACCESS_LOG: String(accessLog),
    },
    { stdout: logFile ?? 'ignore' },
  );
  return { url: gateway.url, pid: gateway.pid, logFile, stop: gateway.stop };
}

interface Target {
  name: string;
  url: string;
  proxyPids: () => number[];
}

/** One request through a target: status, body size and which backend the gateway chose. */
async function probe(url: string, user: string) {
  const res = await fetch(`${url}${PATH}`, { headers: { 'x-user-id': user } });
  const body = await res.arrayBuffer();
  return { status: res.status, bytes: body.byteLength, servedBy: res.headers.get('x-served-by') };
}

interface Run {
  target: string;
  run: number;
  quiet: QuietReport;
  reqPerSec: number;
  requests: number;
  byStatus: Record<string, number>;
  errors: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  cpu: GroupCpu | undefined;
}

const groupsFor = (upstream: Upstream, target: Target) => (): PidGroups => {
  const { upstream: up, postgres } = upstream.pids();
  return { upstream: up, proxy: target.proxyPids(), postgres };
};

async function measure(upstream: Upstream, target: Target, run: number, kind: 'max' | 'paced'): Promise<Run> {
  await upstream.refresh();
  const groups = groupsFor(upstream, target);
  const quiet = await waitForQuiet(groups, { windowSeconds: 2, maxWaitSeconds: 60, log });
  const pids = groups();
  const before = groupSnapshot(pids);
  let result: CannonResult | PacedResult;
  if (kind === 'max') {
    result = await runCannon({ url: target.url, path: () => PATH, headers, connections: options.connections, duration: options.duration });
  } else {
    result = await runPaced({
      url: target.url,
      path: () => PATH,
      headers,
      rate: options.latencyRate,
      duration: options.latencyDuration,
      connections: options.connections,
    });
  }
  const cpu = groupCpu(before, groupSnapshot(pids));
  const seconds = 'seconds' in result ? result.seconds : options.latencyDuration;
  const { p50, p90, p99, max, mean } = result.latency;
  return {
    target: target.name,
    run,
    quiet,
    reqPerSec: result.ok / seconds,
    requests: result.ok,
    byStatus: result.byStatus,
    errors: result.errors + ('timeouts' in result ? result.timeouts : 0),
    latency: { p50, p90, p99, max, mean },
    cpu,
  };
}

const describe = (r: Run) => {
  const non = Object.entries(r.byStatus).filter(([c]) => c !== '200');
  const c = r.cpu;
  return (
    `${fmt(r.reqPerSec)} req/s, p50 ${fmtMs(r.latency.p50)} ms, p99 ${fmtMs(r.latency.p99)} ms` +
    (non.length || r.errors ? `, non-200 ${JSON.stringify(Object.fromEntries(non))}, errors ${r.errors}` : '') +
    (c
      ? `; cores: upstream ${c.groups['upstream']}, proxy ${c.groups['proxy']}, pg ${c.groups['postgres']}, load gen ${c.loadGenerator}, other ${c.other}`
      : '') +
    ` (quiet before: ${r.quiet.other})`
  );
};

interface Summary {
  target: string;
  runs: number;
  reqPerSec: number;
  reqPerSecRange: string;
  p50: number;
  p99: number;
  non200: number;
  errors: number;
  cores?: { upstream: number; proxy: number; postgres: number; loadGenerator: number; other: number };
  quietMax: number;
}

function summarizeRuns(runs: Run[]): Summary[] {
  const names = [...new Set(runs.map((r) => r.target))];
  return names.map((target) => {
    const rs = runs.filter((r) => r.target === target);
    const cpus = rs.flatMap((r) => (r.cpu ? [r.cpu] : []));
    const cpuOf = (pick: (c: GroupCpu) => number) => median(cpus.map(pick));
    return {
      target,
      runs: rs.length,
      reqPerSec: median(rs.map((r) => r.reqPerSec)),
      reqPerSecRange: range(rs.map((r) => r.reqPerSec)),
      p50: median(rs.map((r) => r.latency.p50)),
      p99: median(rs.map((r) => r.latency.p99)),
      non200: rs.reduce((s, r) => s + Object.entries(r.byStatus).reduce((a, [c, n]) => a + (c === '200' ? 0 : n), 0), 0),
      errors: rs.reduce((s, r) => s + r.errors, 0),
      ...(cpus.length
        ? {
            cores: {
              upstream: cpuOf((c) => c.groups['upstream'] ?? 0),
              proxy: cpuOf((c) => c.groups['proxy'] ?? 0),
              postgres: cpuOf((c) => c.groups['postgres'] ?? 0),
              loadGenerator: cpuOf((c) => c.loadGenerator),
              other: cpuOf((c) => c.other),
            },
          }
        : {}),
      quietMax: Math.max(...rs.map((r) => r.quiet.other)),
    };
  });
}

interface UpstreamResult {
  upstream: UpstreamKind;
  info: string;
  responseBytes: number;
  gatewaySplit: Record<string, number>;
  gatewayLogBytes?: number;
  max: { runs: Run[]; summary: Summary[] };
  paced: { runs: Run[]; summary: Summary[] };
}

async function compare(kind: UpstreamKind, folder: string): Promise<UpstreamResult> {
  const upstream = await startUpstream(kind);
  const host = new URL(upstream.url).host;
  const extras = kind === 'trivial' ? options.extras : [];
  const logs = extras.includes('access-logs');
  const nginxes: Nginx[] = [await startNginx(host, 1, PATH)];
  if (logs) nginxes.push(await startNginx(host, 1, PATH, true));
  if (extras.includes('nginx-2w')) nginxes.push(await startNginx(host, 2, PATH));
  const nodeProxy = extras.includes('node-proxy') ? await startNodeProxy(upstream.url) : undefined;
  const gateway = await startGateway(upstream.url, folder, kind);
  const quietGateway = logs ? await startGateway(upstream.url, folder, `${kind}-no-access-log`, false) : undefined;
  try {
    const targets: Target[] = [
      { name: 'direct', url: upstream.url, proxyPids: () => [] },
      ...nginxes.map((n) => ({ name: nginxName(n), url: n.url, proxyPids: n.pids })),
      ...(nodeProxy ? [{ name: 'node proxy (baseline)', url: nodeProxy.url, proxyPids: () => [nodeProxy.pid] }] : []),
      ...(quietGateway ? [{ name: 'gateway, no access log', url: quietGateway.url, proxyPids: () => [quietGateway.pid] }] : []),
      { name: 'gateway', url: gateway.url, proxyPids: () => [gateway.pid] },
    ];
    // The latency target compares direct, nginx (1 worker) and the gateway; extras are throughput references.
    const pacedTargets = targets.filter((t) => ['direct', 'nginx', 'gateway'].includes(t.name));
    // Same answer everywhere; the gateway splits users between its two backends (both this upstream).
    const reference = await probe(upstream.url, '1');
    for (const t of targets) {
      const p = await probe(t.url, '1');
      if (p.status !== 200 || p.bytes !== reference.bytes) throw new Error(`${t.name}: HTTP ${p.status}, ${p.bytes} bytes (direct: ${reference.bytes})`);
    }
    const gatewaySplit: Record<string, number> = {};
    for (let u = 1; u <= 200; u++) {
      const p = await probe(gateway.url, String(u));
      gatewaySplit[p.servedBy ?? 'none'] = (gatewaySplit[p.servedBy ?? 'none'] ?? 0) + 1;
    }
    log(`${kind}: ${upstream.info}; ${reference.bytes}-byte answer; gateway split of 200 users: ${JSON.stringify(gatewaySplit)}`);

    if (options.warmup > 0) {
      for (const t of targets) {
        await runCannon({ url: t.url, path: () => PATH, headers, connections: options.connections, duration: options.warmup });
      }
      log(`${kind}: warm-up done (${options.warmup} s per target, not recorded)`);
    }
    const maxRuns: Run[] = [];
    for (let run = 1; run <= options.runs; run++) {
      for (const t of targets) {
        const r = await measure(upstream, t, run, 'max');
        maxRuns.push(r);
        log(`${kind} ${t.name} run ${run}/${options.runs}: ${describe(r)}`);
      }
    }
    const pacedRuns: Run[] = [];
    if (options.latencyRate > 0) {
      for (let run = 1; run <= options.latencyRuns; run++) {
        for (const t of pacedTargets) {
          const r = await measure(upstream, t, run, 'paced');
          pacedRuns.push(r);
          log(`${kind} ${t.name} at ${options.latencyRate} req/s, run ${run}/${options.latencyRuns}: ${describe(r)}`);
        }
      }
    }
    const logBytes = gateway.logFile ? (await stat(gateway.logFile)).size : undefined;
    return {
      upstream: kind,
      info: upstream.info,
      responseBytes: reference.bytes,
      gatewaySplit,
      ...(logBytes !== undefined ? { gatewayLogBytes: logBytes } : {}),
      max: { runs: maxRuns, summary: summarizeRuns(maxRuns) },
      paced: { runs: pacedRuns, summary: summarizeRuns(pacedRuns) },
    };
  } finally {
    await gateway.stop();
    await quietGateway?.stop();
    await nodeProxy?.stop();
    for (const n of nginxes) await n.stop();
    await upstream.stop();
  }
}

const nginxName = (n: Nginx) => (n.workers > 1 ? `nginx (${n.workers} workers)` : n.accessLog ? 'nginx + access log' : 'nginx');

async function startNodeProxy(upstreamUrl: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startChild({
    name: 'node proxy (baseline)',
    command: process.execPath,
    args: ['--conditions=source', 'bench/lib/node-proxy.ts'],
    env: { ...process.env, PORT: String(port), UPSTREAM: upstreamUrl, NODE_ENV: 'production' },
    readyUrl: `${url}${PATH}`,
  });
  return { url, pid: child.pid, stop: child.stop };
}

interface SoakSample {
  seconds: number;
  rssMB: number;
  heapUsedMB: number | undefined;
  heapTotalMB: number | undefined;
  /** Gateway CPU over the last interval, in cores, and per request proxied in it (µs). */
  cores: number | undefined;
  cpuMicrosPerRequest: number | undefined;
  logMB: number | undefined;
}

/** Heap figures from the gateway's own /metrics (prom-client's default process metrics), MB. */
async function heapOf(url: string): Promise<{ used?: number; total?: number }> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(name));
      return line ? Math.round(Number(line.slice(line.lastIndexOf(' ') + 1)) / 1e4) / 100 : undefined;
    };
    const used = value('nodejs_heap_size_used_bytes');
    const total = value('nodejs_heap_size_total_bytes');
    return { ...(used !== undefined ? { used } : {}), ...(total !== undefined ? { total } : {}) };
  } catch {
    return {};
  }
}

async function soak(folder: string) {
  const upstream = await startUpstream('trivial');
  const gateway = await startGateway(upstream.url, folder, 'soak');
  try {
    const target: Target = { name: 'gateway', url: gateway.url, proxyPids: () => [gateway.pid] };
    const quiet = await waitForQuiet(groupsFor(upstream, target), { windowSeconds: 3, maxWaitSeconds: 120, log });
    const samples: SoakSample[] = [];
    const t0 = performance.now();
    let answered = 0;
    let last = { snap: groupSnapshot({ gateway: [gateway.pid] }), answered: 0 };
    const sample = async () => {
      const rss = rssBytes(gateway.pid);
      const logMB = gateway.logFile ? (await stat(gateway.logFile)).size / 1e6 : undefined;
      const snap = groupSnapshot({ gateway: [gateway.pid] });
      const cpu = groupCpu(last.snap, snap);
      const seconds = snap && last.snap ? (snap.at - last.snap.at) / 1000 : 0;
      const cores = cpu?.groups['gateway'];
      const requests = answered - last.answered;
      last = { snap, answered };
      const heap = await heapOf(gateway.url);
      samples.push({
        seconds: Math.round((performance.now() - t0) / 1000),
        rssMB: rss === undefined ? Number.NaN : Math.round(rss / 1e4) / 100,
        heapUsedMB: heap.used,
        heapTotalMB: heap.total,
        cores,
        cpuMicrosPerRequest: cores !== undefined && requests > 0 ? Math.round((cores * seconds * 1e6) / requests) : undefined,
        logMB: logMB === undefined ? undefined : Math.round(logMB * 10) / 10,
      });
      const s = samples[samples.length - 1]!;
      if (samples.length % 6 === 1) {
        log(
          `soak ${s.seconds} s: RSS ${s.rssMB} MB, heap used/total ${s.heapUsedMB ?? '–'}/${s.heapTotalMB ?? '–'} MB, gateway ${s.cores ?? '–'} cores, ${s.cpuMicrosPerRequest ?? '–'} µs CPU per request`,
        );
      }
    };
    await sample();
    const timer = setInterval(() => void sample(), 10_000);
    const pids = groupsFor(upstream, target)();
    const before = groupSnapshot(pids);
    log(`soak: ${options.soakMinutes} min at ${options.soakRate} req/s, ${options.soakConnections} connections`);
    let result: CannonResult;
    try {
      result = await runCannon({
        url: gateway.url,
        path: () => PATH,
        headers,
        connections: options.soakConnections,
        duration: options.soakMinutes * 60,
        overallRate: options.soakRate,
        onResponse: () => answered++,
      });
    } finally {
      clearInterval(timer);
    }
    const cpu = groupCpu(before, groupSnapshot(pids));
    await sample();
    const rss = samples.map((s) => s.rssMB);
    const after = samples.filter((s) => s.seconds >= 60);
    const perMinute = (pick: (s: SoakSample) => number | undefined) => {
      const points = after.flatMap((s) => {
        const y = pick(s);
        return y === undefined || !Number.isFinite(y) ? [] : [{ x: s.seconds / 60, y }];
      });
      return Math.round(slope(points) * 1000) / 1000;
    };
    const rssSlope = perMinute((s) => s.rssMB);
    const heapSlope = perMinute((s) => s.heapUsedMB);
    // Steady growth (a leak) shows in the second half too; V8 sizing its heap in the first minutes does not.
    const half = (options.soakMinutes * 60) / 2;
    const secondHalf = samples.filter((s) => s.seconds >= half && Number.isFinite(s.rssMB)).map((s) => ({ x: s.seconds / 60, y: s.rssMB }));
    const rssSlopeSecondHalf = Math.round(slope(secondHalf) * 1000) / 1000;
    // V8 grows and shrinks its heap in a sawtooth of minutes, which a slope over a window can
    // catch on the way up. Bounded memory is the test: the second half never goes above what the
    // first half (after minute 1) reached, and the heap's low point (after a GC) does not rise.
    const peak = (from: number, to: number) => Math.max(...after.filter((s) => s.seconds >= from && s.seconds < to).map((s) => s.rssMB));
    const floor = (from: number, to: number) =>
      Math.min(...after.filter((s) => s.seconds >= from && s.seconds < to && s.heapUsedMB !== undefined).map((s) => s.heapUsedMB!));
    const end = options.soakMinutes * 60 + 1;
    const rssPeaks = { firstHalfMB: peak(60, half), secondHalfMB: peak(half, end) };
    const third = (end - 60) / 3;
    const heapFloors = { firstThirdMB: floor(60, 60 + third), lastThirdMB: floor(end - third, end) };
    const summary = {
      minutes: options.soakMinutes,
      rate: options.soakRate,
      reqPerSec: result.okPerSec,
      requests: result.ok,
      byStatus: result.byStatus,
      errors: result.errors + result.timeouts,
      latency: result.latency,
      cpu,
      quiet,
      rss: { firstMB: rss[0]!, lastMB: rss[rss.length - 1]!, maxMB: Math.max(...rss), afterFirstMinute: after[0]?.rssMB },
      rssSlopeMBPerMinute: rssSlope,
      rssSlopeSecondHalfMBPerMinute: rssSlopeSecondHalf,
      heapSlopeMBPerMinute: heapSlope,
      rssPeaks,
      heapFloors,
      // "Flat": the second half's RSS peak is within 5 MB of the first half's, and the heap's
      // floor rose by less than 5 MB from the first third to the last.
      flat: rssPeaks.secondHalfMB <= rssPeaks.firstHalfMB + 5 && heapFloors.lastThirdMB - heapFloors.firstThirdMB < 5,
      logMB: samples[samples.length - 1]!.logMB,
    };
    return { summary, samples };
  } finally {
    await gateway.stop();
    await upstream.stop();
  }
}

function markdown(date: string, results: UpstreamResult[], soakResult: Awaited<ReturnType<typeof soak>> | undefined): string {
  const lines: string[] = [];
  const cores = (s: Summary) =>
    s.cores ? [s.cores.upstream, s.cores.proxy, s.cores.postgres, s.cores.loadGenerator, s.cores.other].map((n) => fmt(n, 2)).join(' / ') : '–';
  const find = (ss: Summary[], name: string) => ss.find((s) => s.target === name);
  for (const r of results) {
    lines.push(
      `**${r.upstream === 'trivial' ? 'Trivial upstream' : 'Movies service on PostgreSQL'}** (${r.info}; ${r.responseBytes}-byte answer), ` +
        `${date.slice(0, 10)}: GET ${PATH}, ${options.connections} connections, medians of ${options.runs} runs × ${options.duration} s`,
      '',
      '| Target | req/s | range (runs) | p50 ms | p99 ms | non-200 | cores: upstream / proxy / db / load gen. / other |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of r.max.summary) {
      lines.push(`| ${s.target} | ${fmt(s.reqPerSec)} | ${s.reqPerSecRange} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${s.non200 + s.errors} | ${cores(s)} |`);
    }
    if (r.paced.summary.length) {
      lines.push(
        '',
        `At a fixed ${fmt(options.latencyRate)} req/s (open loop, evenly paced), medians of ${options.latencyRuns} runs × ${options.latencyDuration} s:`,
        '',
        '| Target | p50 ms | p99 ms | non-200 | cores: upstream / proxy / db / load gen. / other |',
        '|---|---:|---:|---:|---:|',
      );
      for (const s of r.paced.summary) lines.push(`| ${s.target} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${s.non200 + s.errors} | ${cores(s)} |`);
    }
    const direct = find(r.max.summary, 'direct');
    const nginx = find(r.max.summary, 'nginx');
    const gw = find(r.max.summary, 'gateway');
    const pd = find(r.paced.summary, 'direct');
    const pn = find(r.paced.summary, 'nginx');
    const pg = find(r.paced.summary, 'gateway');
    if (direct && nginx && gw) {
      const ratio = gw.reqPerSec / nginx.reqPerSec;
      lines.push(
        '',
        `Gateway / nginx throughput: **${fmt(ratio * 100)} %** (target ≥ 60 %: ${ratio >= 0.6 ? 'met' : 'not met'}). ` +
          `Added p50 at full load vs direct: nginx ${fmtMs(nginx.p50 - direct.p50)} ms, gateway ${fmtMs(gw.p50 - direct.p50)} ms.` +
          (pd && pn && pg
            ? ` Added p50 at ${fmt(options.latencyRate)} req/s: nginx ${fmtMs(pn.p50 - pd.p50)} ms, gateway ${fmtMs(pg.p50 - pd.p50)} ms ` +
              `(target < 1 ms: ${pg.p50 - pd.p50 < 1 ? 'met' : 'not met'}); added p99: nginx ${fmtMs(pn.p99 - pd.p99)} ms, gateway ${fmtMs(pg.p99 - pd.p99)} ms.`
            : ''),
      );
    }
    const baseline = find(r.max.summary, 'node proxy (baseline)');
    const nginx2 = find(r.max.summary, 'nginx (2 workers)');
    const nginxLog = find(r.max.summary, 'nginx + access log');
    const quiet = find(r.max.summary, 'gateway, no access log');
    if (gw && (baseline || nginx2 || (nginxLog && quiet))) {
      lines.push(
        '',
        [
          nginx && nginxLog && quiet
            ? `Like for like (target ≥ 60 %): both writing an access log, gateway / nginx + access log **${fmt((gw.reqPerSec / nginxLog.reqPerSec) * 100)} %**; ` +
              `neither, gateway without access log / nginx **${fmt((quiet.reqPerSec / nginx.reqPerSec) * 100)} %**.`
            : '',
          baseline ? `Gateway / minimal Node proxy throughput: ${fmt((gw.reqPerSec / baseline.reqPerSec) * 100)} %.` : '',
          nginx2 ? `Gateway / nginx with 2 workers: ${fmt((gw.reqPerSec / nginx2.reqPerSec) * 100)} %.` : '',
        ]
          .filter(Boolean)
          .join(' '),
      );
    }
    const disturbed = [...r.max.summary, ...r.paced.summary].filter((s) => (s.cores?.other ?? 0) > 0.25 || s.quietMax > 0.25);
    if (disturbed.length)
      lines.push('', `**Warning:** other work used > 0.25 cores during or before: ${[...new Set(disturbed.map((s) => s.target))].join(', ')}.`);
    if (r.gatewayLogBytes !== undefined) lines.push('', `Gateway log (LOG_LEVEL=info, to a file): ${fmt(r.gatewayLogBytes / 1e6, 1)} MB written.`);
    lines.push('');
  }
  if (soakResult) {
    const s = soakResult.summary;
    lines.push(
      `**Soak**: gateway (all features, LOG_LEVEL=info to ${options.gatewayLog === 'file' ? 'a file' : '/dev/null'}) in front of the trivial upstream, ` +
        `${s.minutes} min at autocannon overallRate ${fmt(s.rate)} req/s, ${options.soakConnections} connections; RSS every 10 s.`,
      '',
      '| req/s | p50 ms | p99 ms | non-200 | RSS first | RSS at 1 min | RSS last | RSS max | RSS peak, 1st / 2nd half | heap floor, 1st / last third | RSS slope after 1 min | RSS slope, 2nd half | heap-used slope | gateway cores |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${fmt(s.reqPerSec)} | ${fmtMs(s.latency.p50)} | ${fmtMs(s.latency.p99)} | ${Object.entries(s.byStatus).reduce((a, [c, n]) => a + (c === '200' ? 0 : n), 0) + s.errors} | ` +
        `${fmt(s.rss.firstMB, 1)} MB | ${fmt(s.rss.afterFirstMinute ?? Number.NaN, 1)} MB | ${fmt(s.rss.lastMB, 1)} MB | ${fmt(s.rss.maxMB, 1)} MB | ` +
        `${fmt(s.rssPeaks.firstHalfMB, 1)} / ${fmt(s.rssPeaks.secondHalfMB, 1)} MB | ${fmt(s.heapFloors.firstThirdMB, 1)} / ${fmt(s.heapFloors.lastThirdMB, 1)} MB | ` +
        `${fmt(s.rssSlopeMBPerMinute, 3)} MB/min | ${fmt(s.rssSlopeSecondHalfMBPerMinute, 3)} MB/min | ${fmt(s.heapSlopeMBPerMinute, 3)} MB/min | ${fmt(s.cpu?.groups['proxy'] ?? Number.NaN, 2)} |`,
      '',
      `Memory flat (second-half RSS peak within 5 MB of the first half's, heap floor up < 5 MB): **${s.flat ? 'yes' : 'no'}**.`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const nginx = await nginxVersion();
  if (!nginx && !options.soakOnly) {
    throw new Error('nginx is not installed: apt-get update -qq && apt-get install -y -qq nginx (the system service is not used)');
  }
  let pgVersion: string | undefined;
  if (!options.soakOnly && options.upstreams.includes('movies')) {
    await ensureRunning('postgres', log);
    pgVersion = await checkPostgres(serverUrl);
  }
  const folder = await mkdtemp(join(tmpdir(), 'cinemaabyss-bench-gateway-'));
  onCleanup('remove gateway log folder', () => rm(folder, { recursive: true, force: true }));
  const startLoad = load1();
  const results: UpstreamResult[] = [];
  if (!options.soakOnly) for (const kind of options.upstreams) results.push(await compare(kind, folder));
  const soakResult = options.soakMinutes > 0 ? await soak(folder) : undefined;
  const report = {
    date: new Date(started).toISOString(),
    command: ['npm run bench:gateway', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: machine(),
    versions: { node: process.version, nginx, postgres: pgVersion },
    options,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    loadAverage: { start: startLoad, end: load1() },
    results,
    soak: soakResult,
  };
  const file = await writeResults('gateway', report.date, report);
  console.log(markdown(report.date, results, soakResult));
  console.log(
    `\nMachine: ${report.machine.cores} cores, ${report.machine.cpu}, Node ${report.machine.node}; nginx ${nginx ?? '–'}${pgVersion ? `; PostgreSQL ${pgVersion}` : ''}`,
  );
  console.log(`Load average (1 min): ${report.loadAverage.start} at start, ${report.loadAverage.end} at end`);
  log(`done in ${report.elapsedSeconds} s; raw results in ${file}`);
}

runBench('bench:gateway', main);
