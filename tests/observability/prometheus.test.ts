// A real Prometheus scraping the distributed stack: the four services as separate processes on
// PostgreSQL and Kafka (fresh databases, a consumer group of its own), configured from
// deploy/observability/prometheus with its targets replaced, scrapes every 2 s, evaluation every
// second and every alert's `for:` shortened to 5 s (two missed scrapes of a busy machine are not an outage). Checks that every target is up, that the rules
// evaluate without error and record series, that the dashboard and the rules name only metrics
// the services export, and that stopping the movies service fires CircuitBreakerOpen and TargetDown.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parse } from 'yaml';
import { openKafkaBus } from '@cinemaabyss/event-bus';
import { CONSUMED_TOPICS } from '@cinemaabyss/events';
import { freshDatabase, postgresUrl, type TestDatabase } from '../support/backend.ts';
import { kafkaBrokers, startGroupAtEnd } from '../support/bus.ts';
import { eventually } from '../support/events-stack.ts';
import { exportedNames, metricNames } from './support/promql.ts';
import { startPrometheus, type Prometheus } from './support/prometheus.ts';
import { startService, type ServiceName, type ServiceProcess } from './support/services.ts';

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'observability');
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
}
const rulesFile = parse(read('prometheus/rules/cinemaabyss.yml')) as { groups: Array<{ name: string; rules: Rule[] }> };
const promConfig = parse(read('prometheus/prometheus.yml')) as {
  global: object;
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
};
const compose = parse(readFileSync(join(DEPLOY, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { environment?: Record<string, unknown>; volumes?: string[]; profiles?: string[] }>;
};
const dashboard = JSON.parse(read('grafana/dashboards/migration.json')) as {
  panels: Array<{ id: number; type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string; datasource?: { uid: string } }> }>;
};
const datasources = parse(read('grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ uid: string }> };

const services = new Map<ServiceName, ServiceProcess>();
let prometheus: Prometheus;
let main: TestDatabase;
let eventsDbName: string;
const cleanups: Array<() => Promise<unknown>> = [];

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

before(async () => {
  main = await freshDatabase();
  cleanups.push(() => main.drop());
  eventsDbName = `cinemaabyss_obs_events_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(`CREATE DATABASE ${eventsDbName}`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${eventsDbName} WITH (FORCE)`));
  const eventsUrl = new URL(postgresUrl());
  eventsUrl.pathname = `/${eventsDbName}`;
  // The broker is shared: this group starts at the topics' ends, not at other runs' records.
  const group = `cinemaabyss-observability-${Math.random().toString(36).slice(2, 10)}`;
  const kafka = kafkaBrokers().join(',');
  const start = async (name: ServiceName, env: Record<string, string>) => {
    const service = await startService(name, env);
    services.set(name, service);
    cleanups.push(() => service.stop());
  };
  await Promise.all([
    start('monolith', { DB_CONNECTION_STRING: main.url!, KAFKA_BROKERS: kafka }),
    start('movies', { DB_CONNECTION_STRING: main.url!, KAFKA_BROKERS: kafka }),
    (async () => {
      const bus = await openKafkaBus({ brokers: kafkaBrokers(), clientId: 'observability-test' });
      await bus.ensureTopics(CONSUMED_TOPICS).finally(() => bus.close());
      await startGroupAtEnd(group, CONSUMED_TOPICS);
      await start('events', { DB_CONNECTION_STRING: eventsUrl.toString(), DB_AUTO_MIGRATE: 'true', KAFKA_BROKERS: kafka, EVENTS_CONSUMER_GROUP: group });
    })(),
  ]);
  // Every movie request to the movies service, so that stopping it opens the gateway's breaker.
  await start('gateway', {
    MONOLITH_URL: services.get('monolith')!.url,
    MOVIES_SERVICE_URL: services.get('movies')!.url,
    EVENTS_SERVICE_URL: services.get('events')!.url,
    GRADUAL_MIGRATION: 'true',
    MOVIES_MIGRATION_PERCENT: '100',
    MIGRATION_MODE: 'random',
    GATEWAY_DB_CONNECTION_STRING: main.url!,
    GATEWAY_ADMIN_PORT: '0',
    GATEWAY_ACCESS_LOG: 'false',
    KAFKA_BROKERS: kafka,
  });

  // The committed configuration, pointed at these processes, with short intervals and `for:`.
  const rules = {
    groups: rulesFile.groups.map((g) => ({ ...g, rules: g.rules.map((r) => (r.alert ? { ...r, for: '5s' } : r)) })),
  };
  const config = {
    ...promConfig,
    global: { ...promConfig.global, scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '1s' },
    rule_files: ['rules.yml'],
    scrape_configs: promConfig.scrape_configs.map((job) => ({
      ...job,
      static_configs: [{ targets: [new URL(services.get(job.job_name as ServiceName)!.url).host] }],
    })),
  };
  prometheus = await startPrometheus(config, { 'rules.yml': rules });
  cleanups.push(() => prometheus.stop());
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => console.error(e));
});

const gateway = (path: string) => `${services.get('gateway')!.url}${path}`;

/**
 * Runs `check` while movie requests go through the gateway every 100 ms: a counter's first scrape
 * already holds its first requests, so a rate needs requests after it (and a breaker needs failures).
 */
async function withMovieTraffic(check: () => Promise<void>): Promise<void> {
  let sending = true;
  const traffic = (async () => {
    while (sending) {
      await fetch(gateway('/api/movies')).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await check();
  } finally {
    sending = false;
    await traffic;
  }
}

describe('Prometheus on the distributed stack', { timeout: 240_000 }, () => {
  test('the configuration scrapes exactly the four services (as compose names and ports them), and every target is up', async () => {
    assert.deepEqual(promConfig.scrape_configs.map((j) => j.job_name).sort(), ['events', 'gateway', 'monolith', 'movies']);
    for (const job of promConfig.scrape_configs) {
      assert.deepEqual(
        job.static_configs.flatMap((c) => c.targets),
        [`${job.job_name}:${compose.services[job.job_name]!.environment!['PORT']}`],
      );
    }
    assert.ok(compose.services['prometheus']!.volumes!.includes('./deploy/observability/prometheus:/etc/prometheus:ro'));
    assert.deepEqual(compose.services['prometheus']!.profiles, ['observability']);
    await eventually(
      async () => {
        const up = await prometheus.query('up');
        return up.length === 4 && up.every((s) => s.value[1] === '1');
      },
      60_000,
      'all four targets up',
    );
  });

  test('the dashboard and the rules name only metrics the services export (live /metrics) or that the rules record', async () => {
    const exported = new Set(['up']);
    for (const service of services.values()) {
      const res = await fetch(`${service.url}/metrics`);
      assert.equal(res.status, 200);
      for (const name of exportedNames(await res.text())) exported.add(name);
    }
    const recorded = new Set(rulesFile.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
    const unknown = (expr: string) => [...metricNames(expr)].filter((name) => !exported.has(name) && !recorded.has(name));
    for (const rule of rulesFile.groups.flatMap((g) => g.rules)) {
      assert.deepEqual(unknown(rule.expr), [], `rule ${rule.record ?? rule.alert}`);
    }
    const uid = datasources.datasources[0]!.uid;
    const queried = dashboard.panels.filter((p) => p.type !== 'row');
    assert.ok(queried.length >= 10);
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, 'panel ids are unique');
    for (const panel of queried) {
      assert.equal(panel.datasource?.uid, uid, `${panel.title}: the provisioned datasource`);
      assert.ok(panel.targets?.length, `${panel.title}: has queries`);
      for (const target of panel.targets!) {
        assert.ok(metricNames(target.expr).size > 0, `${panel.title}: ${target.expr} reads a metric`);
        assert.deepEqual(unknown(target.expr), [], `${panel.title}: ${target.expr}`);
      }
    }
    // The migration's essentials are on the dashboard.
    const all = queried.flatMap((p) => p.targets!.map((t) => t.expr)).join('\n');
    for (const needed of [
      'gateway_migration_percent',
      'route:gateway_shadow_match:ratio_rate5m',
      'gateway_breaker_state',
      'topic:events_consumer_lag:sum',
      'route_backend:gateway_request_duration_seconds:p99_5m',
    ]) {
      assert.ok(all.includes(needed), `dashboard shows ${needed}`);
    }
  });

  test('the rules evaluate without error and record series from real traffic', async () => {
    assert.equal((await fetch(gateway('/api/movies'))).status, 200);
    const created = await fetch(gateway('/api/users'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `obs-${Date.now()}`, email: `obs-${Date.now()}@example.com` }),
    });
    assert.equal(created.status, 201);
    await withMovieTraffic(async () => {
      await eventually(
        async () => (await prometheus.query('route_backend:gateway_requests:rate5m{route="movies",backend="movies"} > 0')).length === 1,
        60_000,
        'the request rate recorded',
      );
      await eventually(
        async () => (await prometheus.query('route_backend:gateway_request_duration_seconds:p99_5m{route="movies",backend="movies"} > 0')).length === 1,
        60_000,
        'p99 recorded',
      );
    });
    await eventually(
      async () => {
        const reporting = (await prometheus.query('service:outbox_oldest_pending_age_seconds:max')).map((s) => s.metric['service']).sort();
        return reporting.join() === 'gateway,monolith,movies';
      },
      60_000,
      'the outbox age of the monolith, the movies service and the gateway',
    );
    await eventually(async () => (await prometheus.query('topic:events_consumer_lag:sum')).length > 0, 60_000, 'consumer lag recorded');
    await eventually(
      async () => {
        const rules = (await prometheus.rules()).flatMap((g) => g.rules);
        const bad = rules.filter((r) => r.health !== 'ok');
        return rules.length === rulesFile.groups.flatMap((g) => g.rules).length && bad.length === 0;
      },
      60_000,
      'every rule evaluated with health ok',
    );
    // Latency alerts aside: a first request on a loaded machine may take over a second.
    const firing = (await prometheus.alerts()).filter((a) => a.state === 'firing' && a.labels['alertname'] !== 'RouteLatencyP99High');
    assert.deepEqual(firing, [], 'nothing else fires on a healthy stack');
  });

  test('stopping the movies service fires CircuitBreakerOpen for it, and TargetDown', async () => {
    await services.get('movies')!.stop();
    // Movie requests keep coming (answered by the fallback or 503) so the breaker sees the failures.
    await withMovieTraffic(async () => {
      const firing = async (name: string, labels: Record<string, string>) =>
        (await prometheus.alerts()).some(
          (a) => a.labels['alertname'] === name && a.state === 'firing' && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
        );
      await eventually(() => firing('CircuitBreakerOpen', { backend: 'movies', severity: 'page' }), 90_000, 'CircuitBreakerOpen firing for movies');
      await eventually(() => firing('TargetDown', { job: 'movies' }), 90_000, 'TargetDown firing for movies');
      const others = (await prometheus.alerts()).filter((a) => a.labels['alertname'] === 'TargetDown' && a.labels['job'] !== 'movies');
      assert.deepEqual(others, [], 'only the stopped service is down');
    });
  });
});
