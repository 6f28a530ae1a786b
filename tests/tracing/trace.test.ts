// One request, one trace, on real tools (DB_BACKEND=postgres; npm run test:tracing): the gateway,
// the monolith and the events service as their own processes with tracing on, a private Jaeger
// and a private Kafka broker on free ports (scripts/jaeger.sh, scripts/kafka.sh), fresh databases
// on the PostgreSQL server. A `POST /api/users` through the gateway must become one trace in
// Jaeger's query API, from the gateway to the consumer that processed the user's event.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';
import { eventually } from '../support/events-stack.ts';
import { freePort } from '../support/ports.ts';
import { call } from '../support/stack.ts';

if (backend() !== 'postgres') throw new Error('the tracing suite needs DB_BACKEND=postgres (npm run test:tracing)');

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = join(root, 'node_modules/.bin/node');

/** A server started by its repo script in a folder of its own; `start` prints its addresses as NAME=value lines. */
class ScriptServer {
  readonly runDir: string;
  readonly #script: string;
  readonly #env: NodeJS.ProcessEnv;
  started = false;

  constructor(script: string, runDirVariable: string, env: Record<string, string>) {
    this.#script = script;
    this.runDir = mkdtempSync(join(tmpdir(), `cinemaabyss-tracing-${script.replace(/\W/g, '')}-`));
    this.#env = { ...process.env, ...env, [runDirVariable]: this.runDir };
  }

  #run(action: string, timeout: number): string {
    const result = spawnSync('bash', [this.#script, action], { cwd: root, encoding: 'utf8', timeout, env: this.#env });
    assert.equal(result.status, 0, `${this.#script} ${action}: ${result.stderr}`);
    return result.stdout;
  }

  /** The NAME=value lines `start` printed. */
  start(timeout: number): Record<string, string> {
    const out = this.#run('start', timeout);
    this.started = true;
    return Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
  }

  stop(): void {
    if (this.started) this.#run('stop', 60_000);
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

/** A service as its own process (from source), its JSON log lines collected. */
interface Service {
  name: string;
  process: ChildProcess;
  lines: Record<string, unknown>[];
  url: string;
}

async function startService(name: string, env: Record<string, string>): Promise<Service> {
  const child = spawn(node, ['--conditions=source', `services/${name}/src/main.ts`], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        if (typeof line['url'] === 'string' && String(line['msg']).includes('listening on')) resolve(line['url']);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening: ${stderr}`)));
  });
  return { name, process: child, lines, url: await url };
}

async function stopService(service: Service | undefined): Promise<void> {
  if (!service || service.process.exitCode !== null) return;
  const exited = new Promise((resolve) => service.process.once('exit', resolve));
  service.process.kill('SIGTERM');
  await exited;
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  processID: string;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

let jaeger: ScriptServer | undefined;
let kafka: ScriptServer | undefined;
const databases: TestDatabase[] = [];
const services: Service[] = [];
const ctx = {} as { queryUrl: string; gateway: Service; monolith: Service; events: Service };

before(async () => {
  const [otlp, query, queryGrpc, broker, controller] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  jaeger = new ScriptServer('scripts/jaeger.sh', 'JAEGER_RUN_DIR', {
    JAEGER_OTLP_PORT: String(otlp),
    JAEGER_QUERY_PORT: String(query),
    JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
  });
  // The first run builds Jaeger from its Go module (CI builds it beforehand, in the background).
  const traces = jaeger.start(45 * 60_000);
  ctx.queryUrl = traces['JAEGER_QUERY_URL']!;
  kafka = new ScriptServer('scripts/kafka.sh', 'KAFKA_RUN_DIR', {
    KAFKA_PORT: String(broker),
    KAFKA_CONTROLLER_PORT: String(controller),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
  });
  const { KAFKA_BROKERS } = kafka.start(180_000);
  const main = await freshDatabase();
  databases.push(main);
  const eventsDb = await freshDatabase({ seed: false });
  databases.push(eventsDb);

  const tracing = {
    OTEL_EXPORTER_OTLP_ENDPOINT: traces['OTEL_EXPORTER_OTLP_ENDPOINT']!,
    OTEL_BSP_SCHEDULE_DELAY: '100', // export within a moment rather than 5 s
    KAFKA_BROKERS: KAFKA_BROKERS!,
  };
  ctx.monolith = await startService('monolith', { ...tracing, DB_CONNECTION_STRING: main.url! });
  services.push(ctx.monolith);
  ctx.events = await startService('events', {
    ...tracing,
    DB_CONNECTION_STRING: eventsDb.url!,
    DB_AUTO_MIGRATE: 'true',
    EVENTS_CONSUMER_GROUP: `tracing-${randomUUID()}`,
  });
  services.push(ctx.events);
  ctx.gateway = await startService('gateway', {
    ...tracing,
    MONOLITH_URL: ctx.monolith.url,
    MOVIES_SERVICE_URL: ctx.monolith.url,
    EVENTS_SERVICE_URL: ctx.events.url,
    GATEWAY_ADMIN_PORT: '0',
  });
  services.push(ctx.gateway);
});

after(async () => {
  // Services first (they flush their spans and leave the consumer group), then what they used.
  for (const service of services.reverse()) await stopService(service);
  for (const database of databases) await database.drop();
  kafka?.stop();
  jaeger?.stop();
});

test('a user created through the gateway is one trace from the gateway to the consumer of its event', { timeout: 120_000 }, async () => {
  await eventually(async () => (await call('GET', `${ctx.events.url}/api/events/ready`)).status === 200, 60_000, 'events ready');
  // The client starts the trace: every span must carry its id.
  const traceId = randomBytes(16).toString('hex');
  const unique = randomUUID().slice(0, 8);
  const created = await call(
    'POST',
    `${ctx.gateway.url}/api/users`,
    { username: `traced-${unique}`, email: `traced-${unique}@example.com` },
    {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    },
  );
  assert.equal(created.status, 201, created.text);

  const spanOf = (found: JaegerTrace, service: string, predicate: (span: JaegerSpan) => boolean) =>
    found.spans.find((s) => found.processes[s.processID]?.serviceName === service && predicate(s));
  const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
  let trace: JaegerTrace | undefined;
  await eventually(
    async () => {
      const res = await fetch(`${ctx.queryUrl}/api/traces/${traceId}`);
      if (res.status !== 200) return false;
      trace = ((await res.json()) as { data: JaegerTrace[] }).data[0];
      return !!trace && !!spanOf(trace, 'events', (s) => s.operationName === 'process user-events');
    },
    60_000,
    'the trace in Jaeger, down to the consumer',
  );
  const found = trace!;

  const hop = spanOf(found, 'gateway', (s) => tag(s, 'span.kind') === 'client' && tag(s, 'cinemaabyss.backend') === 'monolith');
  assert.ok(hop, 'the gateway hop to the monolith');
  assert.equal(tag(hop, 'cinemaabyss.shadow'), false);
  assert.ok(
    spanOf(found, 'gateway', (s) => tag(s, 'span.kind') === 'server'),
    'the gateway server span',
  );
  const server = spanOf(found, 'monolith', (s) => tag(s, 'span.kind') === 'server');
  assert.ok(server, 'the monolith server span');
  assert.ok(
    spanOf(found, 'monolith', (s) => tag(s, 'db.system.name') === 'postgresql' || tag(s, 'db.system') === 'postgresql'),
    'a database query',
  );
  const write = spanOf(found, 'monolith', (s) => s.operationName === 'outbox write user-events');
  assert.ok(write, 'the outbox write');
  const publish = spanOf(found, 'monolith', (s) => s.operationName === 'outbox publish user-events');
  assert.ok(publish, "the relay's publish");
  const produce = spanOf(found, 'monolith', (s) => s.operationName === 'send user-events' && tag(s, 'span.kind') === 'producer');
  assert.ok(produce, 'the Kafka produce');
  assert.equal(tag(produce, 'messaging.system'), 'kafka');
  const consume = spanOf(found, 'events', (s) => s.operationName === 'process user-events' && tag(s, 'span.kind') === 'consumer');
  assert.ok(consume, 'the consumer');

  // One causal chain: consumer <- produce <- publish <- outbox write <- ... <- gateway hop.
  const parent = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  assert.equal(parent(consume), produce.spanID);
  assert.equal(parent(produce), publish.spanID);
  assert.equal(parent(publish), write.spanID);
  assert.equal(parent(server), hop.spanID);
  const ancestors = new Set<string>();
  for (let at: JaegerSpan | undefined = write; at; at = found.spans.find((s) => s.spanID === parent(at!))) ancestors.add(at.spanID);
  assert.ok(ancestors.has(server.spanID) && ancestors.has(hop.spanID), 'the outbox write descends from the request');

  // Log lines name the trace: the gateway's access line and the consumer's line for the event.
  await eventually(() => ctx.gateway.lines.some((l) => l['msg'] === 'proxied' && l['trace_id'] === traceId), 10_000, 'the access log line');
  await eventually(() => ctx.events.lines.some((l) => l['msg'] === 'event processed' && l['trace_id'] === traceId), 10_000, 'the consumer log line');
});
