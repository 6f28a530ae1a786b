// The Helm chart (deploy/helm/cinemaabyss) and the Istio manifests (deploy/istio), offline:
// helm lint/template under several value combinations, every rendering validated by
// tools/manifest-check against the Kubernetes and Istio API types (strict decoding + semantic
// checks + Pod Security "restricted"), assertions on the rendered objects, and the failures
// that must happen (no password, schema violations). manifest-check itself is tested on broken
// manifests so that a silent validator cannot pass for a working one.
//
// Both tools come from scripts/helm.sh (helm from PATH or built from its Go module, manifest-check
// built from tools/manifest-check). If they cannot be built, every test here fails; none is skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHART = 'deploy/helm/cinemaabyss';
const RELEASE = 'cinemaabyss';
const NAMESPACE = 'cinemaabyss';
// A test value given with --set only; it must appear nowhere but in the Secret the chart makes.
const PASSWORD = 'Test-Pa55word-6d1f3c';
// The movies service's own role's, likewise (with characters a URL must encode).
const MOVIES_PASSWORD = "Movies-Pa55/w0rd'@9e2b";
const SERVICES = ['monolith', 'movies', 'events', 'gateway'] as const;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `bash scripts/helm.sh <args>` from the repository root. */
function run(args: string[], input?: string, timeoutMs = 120_000): Run {
  const r = spawnSync('bash', ['scripts/helm.sh', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Rendered objects are plain JSON; `any` keeps deep navigation readable in assertions.
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  type?: string;
};
type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: any[];
  securityContext?: any;
  livenessProbe?: any;
  readinessProbe?: any;
  startupProbe?: any;
  resources?: any;
  volumeMounts?: any[];
  ports?: any[];
};

// Set when scripts/helm.sh could not provide the tools: then every test fails with the reason.
let toolsProblem: string | undefined;

function helmSh(args: string[], input?: string): Run {
  if (toolsProblem !== undefined) assert.fail(toolsProblem);
  return run(args, input);
}

const setArgs = (sets: string[]): string[] => sets.flatMap((s) => ['--set', s]);

function template(sets: string[], chart = CHART): Run {
  return helmSh(['template', RELEASE, chart, '-n', NAMESPACE, ...setArgs(sets)]);
}

/** manifest-check --json on YAML text (plus extra files); fails the test on any problem. */
function check(yaml: string, files: string[] = [], label = 'rendered chart'): Obj[] {
  const r = helmSh(['check', '--json', '--pod-security', 'restricted', '--name', label, '-', ...files], yaml);
  assert.equal(r.status, 0, `manifest-check found problems in ${label}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Obj[];
}

/** helm template + manifest-check; the objects of a rendering that must succeed. */
function render(sets: string[]): { objects: Obj[]; yaml: string } {
  const r = template(sets);
  assert.equal(r.status, 0, `helm template ${sets.join(' ')} failed:\n${r.stderr}`);
  return { objects: check(r.stdout, [], `helm template ${sets.join(' ') || '(defaults)'}`), yaml: r.stdout };
}

/** A rendering that must fail, with a message matching `pattern`. */
function renderFails(sets: string[], pattern: RegExp, message?: string): void {
  const r = template(sets);
  assert.notEqual(r.status, 0, `helm template ${sets.join(' ')} should have failed${message ? `: ${message}` : ''}`);
  assert.match(r.stderr, pattern, message);
}

const withPassword = (...sets: string[]): string[] => [`postgresql.auth.password=${PASSWORD}`, ...sets];
// An external server by host, port and parameters (the passwords from --set).
const EXTERNAL_SERVER = [
  'postgresql.enabled=false',
  'postgresql.external.host=db.example.internal',
  'postgresql.external.port=6432',
  'postgresql.external.params=sslmode=require',
];
const withMoviesDb = (...sets: string[]): string[] => withPassword('postgresql.moviesDatabase.enabled=true', ...sets);
const withMoviesPassword = (...sets: string[]): string[] => withMoviesDb(`postgresql.moviesDatabase.password=${MOVIES_PASSWORD}`, ...sets);

function find(objects: Obj[], kind: string, name: string): Obj {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} is not rendered (have: ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`);
  return o;
}
const all = (objects: Obj[], kind: string): Obj[] => objects.filter((o) => o.kind === kind);
const names = (objects: Obj[], kind: string): string[] =>
  all(objects, kind)
    .map((o) => o.metadata.name)
    .sort();

function containerOf(o: Obj, name?: string): Container {
  const pod = o.spec.template?.spec ?? o.spec.jobTemplate?.spec.template.spec;
  const containers = pod.containers as Container[];
  const c = name === undefined ? containers[0] : containers.find((x) => x.name === name);
  assert.ok(c, `${o.kind}/${o.metadata.name} has no container ${name ?? ''}`);
  return c;
}

function envOf(c: Container, name: string): any {
  const e = (c.env ?? []).find((x: { name: string }) => x.name === name);
  assert.ok(e, `container ${c.name} has no env ${name}`);
  return e;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

before(() => {
  // Cold, this compiles helm and manifest-check (minutes); warm, it only checks versions.
  const r = run(['tools'], undefined, 40 * 60_000);
  if (r.status !== 0) toolsProblem = `scripts/helm.sh could not provide helm and manifest-check (status ${r.status}):\n${r.stderr}\n${r.stdout}`;
});

test('helm and manifest-check are available (built from source when missing)', () => {
  assert.equal(toolsProblem, undefined, toolsProblem);
  assert.match(helmSh(['version', '--template', '{{.Version}}']).stdout, /^v(3|4)\./);
});

describe('helm lint', () => {
  test('lint --strict passes with a password', () => {
    const r = helmSh(['lint', '--strict', CHART, ...setArgs(withPassword())]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test('lint --strict passes with every optional part switched on', () => {
    const r = helmSh([
      'lint',
      '--strict',
      CHART,
      ...setArgs(
        withPassword(
          'istio.enabled=true',
          'istio.trafficSplit.enabled=true',
          'istio.trafficSplit.mirror.enabled=true',
          'ingress.tls.enabled=true',
          'imagePullSecrets[0]=regcred',
          'imageCredentials.username=bot',
          'imageCredentials.password=tok',
          'gatewayOverride.secret=0123456789abcdef0123',
          'kafka.replicas=3',
          'services.events.autoscaling.enabled=true',
          'metrics.serviceMonitor.enabled=true',
          'postgresql.moviesDatabase.enabled=true',
          `postgresql.moviesDatabase.password=${MOVIES_PASSWORD}`,
        ),
      ),
    ]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

describe('helm template with defaults and a password', () => {
  // Rendered once, on first use (not in a hook: a failure must fail the tests, not cancel them).
  let cached: { objects: Obj[]; yaml: string } | undefined;
  const defaults = (): { objects: Obj[]; yaml: string } => (cached ??= render(withPassword()));

  test('renders the expected objects, all valid against the API types', () => {
    const { objects } = defaults();
    assert.deepEqual(names(objects, 'Deployment'), ['events', 'gateway', 'monolith', 'movies']);
    assert.deepEqual(names(objects, 'StatefulSet'), ['kafka', 'postgresql']);
    assert.deepEqual(names(objects, 'Service'), ['events', 'gateway', 'kafka-headless', 'monolith', 'movies', 'postgresql', 'postgresql-headless']);
    assert.deepEqual(names(objects, 'HorizontalPodAutoscaler'), ['gateway', 'monolith', 'movies']);
    assert.deepEqual(names(objects, 'PodDisruptionBudget'), ['events', 'gateway', 'monolith', 'movies']);
    assert.deepEqual(names(objects, 'ConfigMap'), [`${RELEASE}-migration`, `${RELEASE}-postgresql-init`]);
    assert.deepEqual(names(objects, 'Secret'), [`${RELEASE}-db`]);
    assert.deepEqual(names(objects, 'Ingress'), ['cinemaabyss']);
    assert.deepEqual(names(objects, 'Job'), [`${RELEASE}-db-migrate`]);
    assert.equal(all(objects, 'DestinationRule').length + all(objects, 'VirtualService').length, 0, 'Istio objects only with istio.enabled');
    assert.equal(all(objects, 'ServiceMonitor').length, 0, 'a ServiceMonitor only with metrics.serviceMonitor.enabled');
    for (const o of objects) assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind}/${o.metadata.name} namespace`);
  });

  test('every Deployment runs as non-root uid 1000 with a read-only root, no privilege escalation, no capabilities', () => {
    const { objects } = defaults();
    for (const d of all(objects, 'Deployment')) {
      const pod = d.spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true, d.metadata.name);
      assert.equal(pod.securityContext.runAsUser, 1000, d.metadata.name);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault', d.metadata.name);
      assert.equal(pod.automountServiceAccountToken, false, d.metadata.name);
      for (const c of pod.containers as Container[]) {
        const sc = c.securityContext;
        assert.equal(sc.runAsNonRoot, true, `${d.metadata.name}/${c.name}`);
        assert.equal(sc.runAsUser, 1000, `${d.metadata.name}/${c.name}`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${d.metadata.name}/${c.name}`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${d.metadata.name}/${c.name}`);
        assert.deepEqual(sc.capabilities.drop, ['ALL'], `${d.metadata.name}/${c.name}`);
        assert.equal(sc.seccompProfile.type, 'RuntimeDefault', `${d.metadata.name}/${c.name}`);
        const tmp = (c.volumeMounts ?? []).find((m: { mountPath: string }) => m.mountPath === '/tmp');
        assert.ok(tmp, `${d.metadata.name}/${c.name} mounts /tmp`);
        const volume = pod.volumes.find((v: { name: string }) => v.name === tmp.name);
        assert.ok(volume?.emptyDir, `${d.metadata.name}: /tmp is an emptyDir`);
        assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${d.metadata.name} resources`);
      }
    }
  });

  test('ports, probes and images follow the services', () => {
    const { objects } = defaults();
    const expected = {
      monolith: { port: 8080, live: '/health', ready: '/ready' },
      movies: { port: 8081, live: '/api/movies/health', ready: '/api/movies/ready' },
      events: { port: 8082, live: '/api/events/health', ready: '/api/events/ready' },
      gateway: { port: 8000, live: '/health', ready: '/ready' },
    };
    for (const name of SERVICES) {
      const c = containerOf(find(objects, 'Deployment', name));
      assert.equal(c.image, `ghcr.io/cinemaabyss/cinemaabyss-${name}:0.1.0`, 'tag defaults to the appVersion');
      assert.equal(c.ports?.[0].containerPort, expected[name].port);
      assert.equal(envOf(c, 'PORT').value, String(expected[name].port));
      assert.equal(c.livenessProbe.httpGet.path, expected[name].live);
      assert.equal(c.readinessProbe.httpGet.path, expected[name].ready);
      assert.equal(c.startupProbe.httpGet.path, expected[name].live);
      const svc = find(objects, 'Service', name);
      assert.equal(svc.spec.ports[0].port, expected[name].port);
    }
  });

  test('HPAs (autoscaling/v2) manage monolith, movies and gateway, whose Deployments leave replicas to them', () => {
    const { objects } = defaults();
    for (const hpa of all(objects, 'HorizontalPodAutoscaler')) {
      assert.equal(hpa.apiVersion, 'autoscaling/v2');
      assert.equal(hpa.spec.scaleTargetRef.kind, 'Deployment');
      assert.equal(hpa.spec.scaleTargetRef.name, hpa.metadata.name);
      assert.equal(find(objects, 'Deployment', hpa.metadata.name).spec.replicas, undefined);
    }
    assert.equal(find(objects, 'Deployment', 'events').spec.replicas, 2, 'events scales with partitions, not an HPA');
  });

  test('the gateway reads the migration split from the ConfigMap and rolls when it changes', () => {
    const { objects } = defaults();
    const gateway = find(objects, 'Deployment', 'gateway');
    const c = containerOf(gateway);
    for (const key of ['GRADUAL_MIGRATION', 'MOVIES_MIGRATION_PERCENT', 'MIGRATION_MODE']) {
      assert.deepEqual(envOf(c, key).valueFrom, { configMapKeyRef: { name: `${RELEASE}-migration`, key } });
    }
    const cm = find(objects, 'ConfigMap', `${RELEASE}-migration`);
    assert.deepEqual(cm.data, { GRADUAL_MIGRATION: 'false', MOVIES_MIGRATION_PERCENT: '0', MIGRATION_MODE: 'sticky' });
    assert.match(gateway.spec.template.metadata.annotations['checksum/migration-config'], /^[0-9a-f]{64}$/);
    assert.equal(envOf(c, 'MONOLITH_URL').value, 'http://monolith:8080');
    assert.equal(envOf(c, 'MOVIES_SERVICE_URL').value, 'http://movies:8081');
    assert.equal(envOf(c, 'EVENTS_SERVICE_URL').value, 'http://events:8082');
    assert.ok(!(c.env ?? []).some((e: { name: string }) => e.name === 'GATEWAY_OVERRIDE_SECRET'), 'no override secret unless asked');
  });

  test('database URLs are assembled from the Secret; the password is nowhere else', () => {
    const { objects, yaml } = defaults();
    const secret = find(objects, 'Secret', `${RELEASE}-db`);
    assert.equal(unb64(secret.data?.['password']), PASSWORD);
    for (const o of objects) {
      if (o === secret) continue;
      const text = JSON.stringify(o);
      assert.ok(!text.includes(PASSWORD) && !text.includes(b64(PASSWORD)), `${o.kind}/${o.metadata.name} contains the password`);
    }
    assert.ok(!yaml.includes(PASSWORD), 'the literal password is not in the rendered YAML');
    for (const [name, db] of [
      ['monolith', 'cinemaabyss'],
      ['movies', 'cinemaabyss'],
      ['events', 'cinemaabyss_events'],
    ] as const) {
      const c = containerOf(find(objects, 'Deployment', name));
      const names = (c.env ?? []).map((e: { name: string }) => e.name);
      assert.ok(names.indexOf('DB_PASSWORD') < names.indexOf('DB_CONNECTION_STRING'), 'DB_PASSWORD is defined before it is referenced');
      assert.deepEqual(envOf(c, 'DB_PASSWORD').valueFrom, { secretKeyRef: { name: `${RELEASE}-db`, key: 'password-url' } });
      assert.equal(envOf(c, 'DB_CONNECTION_STRING').value, `postgres://cinemaabyss:$(DB_PASSWORD)@postgresql.${NAMESPACE}.svc.cluster.local:5432/${db}`);
      assert.equal(envOf(c, 'KAFKA_BROKERS').value, `kafka-0.kafka-headless.${NAMESPACE}.svc.cluster.local:9092`);
    }
    const movies = find(objects, 'Deployment', 'movies');
    assert.ok(!JSON.stringify(movies).includes('MOVIES_DB'), 'no own movies database unless postgresql.moviesDatabase.enabled');
    assert.equal(movies.spec.template.spec.initContainers, undefined);
    const events = containerOf(find(objects, 'Deployment', 'events'));
    assert.equal(envOf(events, 'DB_AUTO_MIGRATE').value, 'true');
    assert.equal(envOf(events, 'EVENTS_CONSUMER_GROUP').value, 'cinemaabyss-events');
    const pg = containerOf(find(objects, 'StatefulSet', 'postgresql'));
    assert.deepEqual(envOf(pg, 'POSTGRES_PASSWORD').valueFrom, { secretKeyRef: { name: `${RELEASE}-db`, key: 'password' } });
  });

  test('the migration Job is a post-install/pre-upgrade hook running the monolith image', () => {
    const { objects } = defaults();
    const job = find(objects, 'Job', `${RELEASE}-db-migrate`);
    assert.equal(job.metadata.annotations?.['helm.sh/hook'], 'post-install,pre-upgrade');
    const c = containerOf(job);
    assert.equal(c.image, 'ghcr.io/cinemaabyss/cinemaabyss-monolith:0.1.0');
    assert.deepEqual(c.command, ['node', 'packages/db/dist/cli.js', 'migrate']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.equal(job.spec.template.metadata.annotations['sidecar.istio.io/inject'], 'false');
  });

  test('PostgreSQL and Kafka persist through volumeClaimTemplates; Kafka is KRaft with matching replication', () => {
    const { objects } = defaults();
    for (const name of ['postgresql', 'kafka']) {
      const sts = find(objects, 'StatefulSet', name);
      assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '8Gi');
    }
    assert.equal(find(objects, 'Service', 'kafka-headless').spec.clusterIP, 'None');
    const kafka = find(objects, 'StatefulSet', 'kafka');
    assert.equal(kafka.spec.podManagementPolicy, 'Parallel');
    const c = containerOf(kafka);
    assert.equal(c.image, 'docker.io/apache/kafka:4.2.0');
    assert.equal(envOf(c, 'KAFKA_PROCESS_ROLES').value, 'broker,controller');
    assert.equal(envOf(c, 'KAFKA_CONTROLLER_QUORUM_VOTERS').value, `0@kafka-0.kafka-headless.${NAMESPACE}.svc.cluster.local:9093`);
    assert.equal(envOf(c, 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR').value, '1');
    assert.equal(envOf(c, 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR').value, '1');
    assert.equal(containerOf(find(objects, 'StatefulSet', 'postgresql')).image, 'docker.io/library/postgres:18');
  });

  test('the Ingress sends cinemaabyss.example.com/ to gateway:8000', () => {
    const { objects } = defaults();
    const ing = find(objects, 'Ingress', 'cinemaabyss');
    assert.equal(ing.spec.rules.length, 1);
    assert.equal(ing.spec.rules[0].host, 'cinemaabyss.example.com');
    const path = ing.spec.rules[0].http.paths[0];
    assert.equal(path.path, '/');
    assert.equal(path.pathType, 'Prefix');
    assert.deepEqual(path.backend, { service: { name: 'gateway', port: { number: 8000 } } });
    assert.equal(ing.spec.tls, undefined);
    assert.equal(ing.spec.ingressClassName, undefined);
  });
});

describe('helm template with other values', () => {
  test('postgresql.enabled=false with an existing Secret of URLs needs no password', () => {
    const { objects } = render(['postgresql.enabled=false', 'postgresql.external.existingSecret=external-db']);
    assert.equal(all(objects, 'StatefulSet').filter((s) => s.metadata.name === 'postgresql').length, 0);
    assert.ok(!objects.some((o) => o.metadata.name.startsWith('postgresql')), 'no PostgreSQL objects');
    assert.equal(all(objects, 'Secret').length, 0, 'the chart makes no database Secret');
    for (const [name, key] of [
      ['monolith', 'db-url'],
      ['movies', 'db-url'],
      ['events', 'events-db-url'],
    ] as const) {
      const c = containerOf(find(objects, 'Deployment', name));
      assert.deepEqual(envOf(c, 'DB_CONNECTION_STRING').valueFrom, { secretKeyRef: { name: 'external-db', key } });
      assert.ok(!(c.env ?? []).some((e: { name: string }) => e.name === 'DB_PASSWORD'));
    }
    const job = find(objects, 'Job', `${RELEASE}-db-migrate`);
    assert.equal(job.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade', 'external database: migrate before install');
  });

  test('postgresql.enabled=false with host, params and --set password', () => {
    const { objects } = render(withPassword(...EXTERNAL_SERVER));
    const c = containerOf(find(objects, 'Deployment', 'monolith'));
    assert.equal(envOf(c, 'DB_CONNECTION_STRING').value, 'postgres://cinemaabyss:$(DB_PASSWORD)@db.example.internal:6432/cinemaabyss?sslmode=require');
    assert.deepEqual(names(objects, 'Secret'), [`${RELEASE}-db`]);
    assert.equal(
      find(objects, 'Job', `${RELEASE}-db-migrate`).metadata.annotations?.['helm.sh/hook'],
      'post-install,pre-upgrade',
      "the chart's Secret exists only after install",
    );
  });

  test('postgresql.auth.existingSecret replaces the password', () => {
    const { objects } = render(['postgresql.auth.existingSecret=pg-credentials', 'postgresql.auth.secretKeys.urlPassword=password-url']);
    assert.equal(all(objects, 'Secret').length, 0);
    const c = containerOf(find(objects, 'Deployment', 'movies'));
    assert.deepEqual(envOf(c, 'DB_PASSWORD').valueFrom, { secretKeyRef: { name: 'pg-credentials', key: 'password-url' } });
    const pg = containerOf(find(objects, 'StatefulSet', 'postgresql'));
    assert.deepEqual(envOf(pg, 'POSTGRES_PASSWORD').valueFrom, { secretKeyRef: { name: 'pg-credentials', key: 'password' } });
  });

  test('a password with URL-special characters is percent-encoded for the URLs', () => {
    const { objects } = render(['postgresql.auth.password=p@ss w+rd/x:y']);
    const secret = find(objects, 'Secret', `${RELEASE}-db`);
    assert.equal(unb64(secret.data?.['password']), 'p@ss w+rd/x:y');
    assert.equal(unb64(secret.data?.['password-url']), 'p%40ss%20w%2Brd%2Fx%3Ay');
    assert.equal(decodeURIComponent(unb64(secret.data?.['password-url'])), 'p@ss w+rd/x:y');
  });

  test('kafka.enabled=false uses the external brokers', () => {
    const { objects } = render(withPassword('kafka.enabled=false', 'kafka.external.brokers=b1.example:9092\\,b2.example:9092'));
    assert.ok(!objects.some((o) => o.metadata.name.startsWith('kafka')), 'no Kafka objects');
    for (const name of ['monolith', 'movies', 'events']) {
      assert.equal(envOf(containerOf(find(objects, 'Deployment', name)), 'KAFKA_BROKERS').value, 'b1.example:9092,b2.example:9092');
    }
  });

  test('kafka.replicas=3: three voters, replication factor 3, min ISR 2, a disruption budget', () => {
    const { objects } = render(withPassword('kafka.replicas=3'));
    const c = containerOf(find(objects, 'StatefulSet', 'kafka'));
    assert.equal(envOf(c, 'KAFKA_CONTROLLER_QUORUM_VOTERS').value.split(',').length, 3);
    assert.equal(envOf(c, 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR').value, '3');
    assert.equal(envOf(c, 'KAFKA_DEFAULT_REPLICATION_FACTOR').value, '3');
    assert.equal(envOf(c, 'KAFKA_MIN_INSYNC_REPLICAS').value, '2');
    assert.equal(envOf(containerOf(find(objects, 'Deployment', 'events')), 'KAFKA_BROKERS').value.split(',').length, 3);
    assert.equal(find(objects, 'PodDisruptionBudget', 'kafka').spec.maxUnavailable, 1);
  });

  test("the four services' pods are annotated for Prometheus scraping on their own port, unless metrics.scrapeAnnotations=false", () => {
    const annotated = render(withPassword()).objects;
    for (const d of all(annotated, 'Deployment')) {
      const a = d.spec.template.metadata.annotations;
      assert.equal(a['prometheus.io/scrape'], 'true', d.metadata.name);
      assert.equal(a['prometheus.io/path'], '/metrics', d.metadata.name);
      assert.equal(a['prometheus.io/port'], String(containerOf(d).ports![0].containerPort), d.metadata.name);
    }
    for (const sts of all(annotated, 'StatefulSet'))
      assert.equal(sts.spec.template.metadata.annotations?.['prometheus.io/scrape'], undefined, `${sts.metadata.name} has no /metrics`);
    const plain = render(withPassword('metrics.scrapeAnnotations=false')).objects;
    for (const d of all(plain, 'Deployment')) assert.equal(d.spec.template.metadata.annotations?.['prometheus.io/scrape'], undefined, d.metadata.name);
  });

  test('metrics.serviceMonitor.enabled=true renders one ServiceMonitor selecting the four Services by their http port', () => {
    const { objects } = render(
      withPassword('metrics.serviceMonitor.enabled=true', 'metrics.serviceMonitor.interval=30s', 'metrics.serviceMonitor.labels.release=kube-prometheus-stack'),
    );
    const monitor = find(objects, 'ServiceMonitor', RELEASE);
    assert.equal(monitor.metadata.labels!['release'], 'kube-prometheus-stack');
    assert.deepEqual(monitor.spec.endpoints, [{ port: 'http', path: '/metrics', interval: '30s' }]);
    const selected = all(objects, 'Service').filter(
      (svc) =>
        svc.metadata.labels!['app.kubernetes.io/instance'] === monitor.spec.selector.matchLabels['app.kubernetes.io/instance'] &&
        monitor.spec.selector.matchExpressions[0].values.includes(svc.metadata.labels!['app.kubernetes.io/name']),
    );
    assert.deepEqual(selected.map((svc) => svc.metadata.name).sort(), ['events', 'gateway', 'monolith', 'movies']);
  });

  test('istio.enabled=true renders DestinationRules, and the split VirtualService with mirroring when asked', () => {
    const dr = render(withPassword('istio.enabled=true')).objects;
    assert.deepEqual(names(dr, 'DestinationRule'), ['monolith', 'movies']);
    assert.equal(all(dr, 'VirtualService').length, 0, 'the split is opt-in');
    const rule = find(dr, 'DestinationRule', 'movies').spec;
    assert.equal(rule.host, `movies.${NAMESPACE}.svc.cluster.local`);
    assert.equal(rule.trafficPolicy.connectionPool.tcp.maxConnections, 100);
    assert.equal(rule.trafficPolicy.connectionPool.http.http1MaxPendingRequests, 64);
    assert.equal(rule.trafficPolicy.connectionPool.http.maxRequestsPerConnection, 100);
    assert.equal(rule.trafficPolicy.outlierDetection.consecutive5xxErrors, 5);
    assert.equal(rule.trafficPolicy.outlierDetection.interval, '10s');
    assert.equal(rule.trafficPolicy.outlierDetection.baseEjectionTime, '30s');
    assert.equal(rule.trafficPolicy.outlierDetection.maxEjectionPercent, 50);
    for (const sts of all(dr, 'StatefulSet')) {
      assert.equal(sts.spec.template.metadata.annotations['sidecar.istio.io/inject'], 'false', `${sts.metadata.name} stays out of the mesh`);
    }

    const { objects } = render(
      withPassword(
        'istio.enabled=true',
        'istio.trafficSplit.enabled=true',
        'istio.trafficSplit.moviesWeight=25',
        'istio.trafficSplit.mirror.enabled=true',
        'istio.trafficSplit.mirror.percent=5',
      ),
    );
    const vs = find(objects, 'VirtualService', 'movies-split').spec;
    assert.deepEqual(vs.hosts, [`monolith.${NAMESPACE}.svc.cluster.local`]);
    const [mirror, split, rest] = vs.http;
    assert.equal(mirror.match[0].method.exact, 'GET', 'only reads are mirrored');
    assert.equal(mirror.mirror.host, `movies.${NAMESPACE}.svc.cluster.local`);
    assert.equal(mirror.mirrorPercentage.value, 5);
    assert.equal(split.match[0].uri.prefix, '/api/movies');
    assert.equal(split.mirror, undefined);
    assert.deepEqual(
      split.route.map((r: { weight: number }) => r.weight),
      [75, 25],
    );
    assert.equal(rest.route[0].destination.host, `monolith.${NAMESPACE}.svc.cluster.local`);
  });

  test('gradual migration at 30 %: the ConfigMap carries it and the gateway pods roll', () => {
    const before = render(withPassword()).objects;
    const { objects } = render(withPassword('migration.gradual=true', 'migration.moviesPercent=30', 'migration.mode=random'));
    assert.deepEqual(find(objects, 'ConfigMap', `${RELEASE}-migration`).data, {
      GRADUAL_MIGRATION: 'true',
      MOVIES_MIGRATION_PERCENT: '30',
      MIGRATION_MODE: 'random',
    });
    const checksum = (o: Obj[]): string => find(o, 'Deployment', 'gateway').spec.template.metadata.annotations['checksum/migration-config'];
    assert.notEqual(checksum(objects), checksum(before));
  });

  test('image pull secrets: existing names and one made from --set credentials', () => {
    const { objects } = render(
      withPassword(
        'imagePullSecrets[0]=regcred',
        'imageCredentials.registry=ghcr.io',
        'imageCredentials.username=ci-bot',
        'imageCredentials.password=ghp_testtoken',
      ),
    );
    const secret = find(objects, 'Secret', `${RELEASE}-registry`);
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    const config = JSON.parse(unb64(secret.data?.['.dockerconfigjson'])) as { auths: Record<string, { username: string; password: string; auth: string }> };
    assert.equal(config.auths['ghcr.io']?.username, 'ci-bot');
    assert.equal(config.auths['ghcr.io']?.auth, b64('ci-bot:ghp_testtoken'));
    for (const o of [...all(objects, 'Deployment'), ...all(objects, 'StatefulSet'), ...all(objects, 'Job')]) {
      assert.deepEqual(o.spec.template.spec.imagePullSecrets, [{ name: 'regcred' }, { name: `${RELEASE}-registry` }], `${o.kind}/${o.metadata.name}`);
      assert.ok(!JSON.stringify(o).includes('ghp_testtoken'));
    }
  });

  test('ingress TLS and class', () => {
    const { objects } = render(withPassword('ingress.tls.enabled=true', 'ingress.className=nginx'));
    const ing = find(objects, 'Ingress', 'cinemaabyss');
    assert.equal(ing.spec.ingressClassName, 'nginx');
    assert.deepEqual(ing.spec.tls, [{ hosts: ['cinemaabyss.example.com'], secretName: 'cinemaabyss-tls' }]);
  });

  test('global registry, image tag and per-service overrides', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { objects } = render(
      withPassword(
        'global.imageRegistry=registry.example.com',
        'global.imageOwner=acme',
        'global.imageTag=1.2.3',
        'services.gateway.image.tag=1.2.4',
        `services.movies.image.digest=${digest}`,
        'services.events.image.registry=mirror.example.com',
        'services.events.image.repository=team/events',
      ),
    );
    assert.equal(containerOf(find(objects, 'Deployment', 'monolith')).image, 'registry.example.com/acme/cinemaabyss-monolith:1.2.3');
    assert.equal(containerOf(find(objects, 'Deployment', 'gateway')).image, 'registry.example.com/acme/cinemaabyss-gateway:1.2.4');
    assert.equal(containerOf(find(objects, 'Deployment', 'movies')).image, `registry.example.com/acme/cinemaabyss-movies@${digest}`);
    assert.equal(containerOf(find(objects, 'Deployment', 'events')).image, 'mirror.example.com/team/events:1.2.3');
  });

  test('gateway override secret from --set lands in a Secret only', () => {
    const value = 'override-0123456789abcdef';
    const { objects } = render(withPassword(`gatewayOverride.secret=${value}`));
    const c = containerOf(find(objects, 'Deployment', 'gateway'));
    assert.deepEqual(envOf(c, 'GATEWAY_OVERRIDE_SECRET').valueFrom, { secretKeyRef: { name: `${RELEASE}-gateway-override`, key: 'override-secret' } });
    assert.equal(unb64(find(objects, 'Secret', `${RELEASE}-gateway-override`).data?.['override-secret']), value);
  });

  test('events autoscaling within the partition count; seeding the migration', () => {
    const { objects } = render(withPassword('services.events.autoscaling.enabled=true', 'dbMigrations.seed=true'));
    assert.equal(find(objects, 'HorizontalPodAutoscaler', 'events').spec.maxReplicas, 3);
    assert.deepEqual(containerOf(find(objects, 'Job', `${RELEASE}-db-migrate`)).command, ['node', 'packages/db/dist/cli.js', 'migrate', '--seed']);
  });
});

describe("the movies service's own database (postgresql.moviesDatabase)", () => {
  const moviesEnv = (objects: Obj[]): any[] => containerOf(find(objects, 'Deployment', 'movies')).env ?? [];
  const initOf = (objects: Obj[]): Container | undefined =>
    (find(objects, 'Deployment', 'movies').spec.template.spec.initContainers as Container[] | undefined)?.find((c) => c.name === 'create-movies-db');
  /** No Deployment but the movies service's mentions the movies credentials. */
  const onlyMoviesSeesThem = (objects: Obj[], secret: string): void => {
    for (const name of ['monolith', 'events', 'gateway']) {
      const text = JSON.stringify(find(objects, 'Deployment', name));
      assert.ok(!text.includes('MOVIES_DB') && !text.includes(`"${secret}"`), `${name} sees the movies database's credentials`);
    }
  };

  test("on the chart's PostgreSQL: its own Secret, role and URL; created by the movies pods' init container", () => {
    const { objects, yaml } = render(withMoviesPassword());
    assert.deepEqual(names(objects, 'Secret'), [`${RELEASE}-db`, `${RELEASE}-movies-db`]);
    const secret = find(objects, 'Secret', `${RELEASE}-movies-db`);
    assert.equal(unb64(secret.data?.['password']), MOVIES_PASSWORD);
    assert.equal(decodeURIComponent(unb64(secret.data?.['password-url'])), MOVIES_PASSWORD);
    assert.doesNotMatch(unb64(secret.data?.['password-url']), /[/'@]/, 'percent-encoded for the URL');
    assert.equal(unb64(find(objects, 'Secret', `${RELEASE}-db`).data?.['password']), PASSWORD, 'the main Secret keeps the main password only');
    for (const o of objects) {
      if (o === secret) continue;
      const text = JSON.stringify(o);
      assert.ok(!text.includes(MOVIES_PASSWORD) && !text.includes(b64(MOVIES_PASSWORD)), `${o.kind}/${o.metadata.name} contains the movies password`);
    }
    assert.ok(!yaml.includes(MOVIES_PASSWORD));

    const env = moviesEnv(objects);
    const movies = containerOf(find(objects, 'Deployment', 'movies'));
    const order = env.map((e: { name: string }) => e.name);
    assert.ok(order.indexOf('MOVIES_DB_PASSWORD') < order.indexOf('MOVIES_DB_CONNECTION_STRING'), 'MOVIES_DB_PASSWORD is defined before it is referenced');
    assert.deepEqual(envOf(movies, 'MOVIES_DB_PASSWORD').valueFrom, { secretKeyRef: { name: `${RELEASE}-movies-db`, key: 'password-url' } });
    assert.equal(
      envOf(movies, 'MOVIES_DB_CONNECTION_STRING').value,
      `postgres://movies:$(MOVIES_DB_PASSWORD)@postgresql.${NAMESPACE}.svc.cluster.local:5432/cinemaabyss_movies`,
    );
    assert.equal(envOf(movies, 'DB_AUTO_MIGRATE').value, 'true', 'the movies service migrates its own database at start-up');
    assert.equal(
      envOf(movies, 'DB_CONNECTION_STRING').value,
      `postgres://cinemaabyss:$(DB_PASSWORD)@postgresql.${NAMESPACE}.svc.cluster.local:5432/cinemaabyss`,
    );
    onlyMoviesSeesThem(objects, `${RELEASE}-movies-db`);

    const init = initOf(objects);
    assert.ok(init, 'the movies pods create the role and the database when missing');
    assert.equal(init.image, 'docker.io/library/postgres:18');
    assert.deepEqual(envOf(init, 'MOVIES_ROLE_PASSWORD').valueFrom, { secretKeyRef: { name: `${RELEASE}-movies-db`, key: 'password' } });
    assert.equal(envOf(init, 'MOVIES_DB_USER').value, 'movies');
    assert.equal(envOf(init, 'MOVIES_DB_NAME').value, 'cinemaabyss_movies');
    assert.deepEqual(envOf(init, 'DB_PASSWORD').valueFrom, { secretKeyRef: { name: `${RELEASE}-db`, key: 'password-url' } }, 'connects as the main role');
    const script = [...(init.command ?? []), ...(init.args ?? [])].join(' ');
    assert.match(script, /CREATE ROLE %I LOGIN PASSWORD %L[\s\S]*NOT EXISTS \(SELECT FROM pg_roles/);
    assert.match(script, /CREATE DATABASE %I OWNER %I[\s\S]*NOT EXISTS \(SELECT FROM pg_database/);
    assert.match(script, /pg_advisory_lock[\s\S]*CREATE ROLE/, 'replicas starting together take turns');
    // PostgreSQL itself is unchanged: turning the feature on does not restart it.
    const pg = containerOf(find(objects, 'StatefulSet', 'postgresql'));
    assert.ok(!JSON.stringify(pg).includes('movies'));
  });

  test("with Istio the init container runs as the proxy's uid, whose traffic the sidecar does not capture", () => {
    const plain = initOf(render(withMoviesPassword()).objects);
    assert.equal(plain?.securityContext.runAsUser, 999, "the PostgreSQL image's user without a mesh");
    const meshed = initOf(render(withMoviesPassword('istio.enabled=true')).objects);
    assert.equal(meshed?.securityContext.runAsUser, 1337);
    assert.equal(meshed?.securityContext.runAsNonRoot, true);
  });

  test('names of its own: another role and database name', () => {
    const { objects } = render(withMoviesPassword('postgresql.moviesDatabase.username=catalogue', 'postgresql.moviesDatabase.database=catalogue'));
    assert.match(
      envOf(containerOf(find(objects, 'Deployment', 'movies')), 'MOVIES_DB_CONNECTION_STRING').value,
      /^postgres:\/\/catalogue:\$\(MOVIES_DB_PASSWORD\)@[^/]+\/catalogue$/,
    );
    const init = initOf(objects);
    assert.equal(init && envOf(init, 'MOVIES_DB_USER').value, 'catalogue');
  });

  test('with an existing Secret: no Secret rendered, its keys referenced', () => {
    const { objects } = render(withMoviesDb('postgresql.moviesDatabase.existingSecret=movies-credentials'));
    assert.deepEqual(names(objects, 'Secret'), [`${RELEASE}-db`]);
    const movies = containerOf(find(objects, 'Deployment', 'movies'));
    assert.deepEqual(
      envOf(movies, 'MOVIES_DB_PASSWORD').valueFrom,
      { secretKeyRef: { name: 'movies-credentials', key: 'password' } },
      'the raw key when no urlPassword key',
    );
    const init = initOf(objects);
    assert.ok(init);
    assert.deepEqual(envOf(init, 'MOVIES_ROLE_PASSWORD').valueFrom, { secretKeyRef: { name: 'movies-credentials', key: 'password' } });

    const encoded = render(
      withMoviesDb(
        'postgresql.moviesDatabase.existingSecret=movies-credentials',
        'postgresql.moviesDatabase.secretKeys.password=raw',
        'postgresql.moviesDatabase.secretKeys.urlPassword=encoded',
      ),
    ).objects;
    assert.deepEqual(envOf(containerOf(find(encoded, 'Deployment', 'movies')), 'MOVIES_DB_PASSWORD').valueFrom, {
      secretKeyRef: { name: 'movies-credentials', key: 'encoded' },
    });
    const encodedInit = initOf(encoded);
    assert.deepEqual(encodedInit && envOf(encodedInit, 'MOVIES_ROLE_PASSWORD').valueFrom, { secretKeyRef: { name: 'movies-credentials', key: 'raw' } });
  });

  test('external server with host and password: the same server and parameters, no init container', () => {
    const { objects } = render(withMoviesPassword(...EXTERNAL_SERVER));
    assert.equal(
      envOf(containerOf(find(objects, 'Deployment', 'movies')), 'MOVIES_DB_CONNECTION_STRING').value,
      'postgres://movies:$(MOVIES_DB_PASSWORD)@db.example.internal:6432/cinemaabyss_movies?sslmode=require',
    );
    assert.equal(initOf(objects), undefined, "the chart does not touch an external server's roles");
    assert.deepEqual(names(objects, 'Secret'), [`${RELEASE}-db`, `${RELEASE}-movies-db`]);
  });

  test('external server with a Secret of URLs: its movies-db-url key, no password needed', () => {
    const { objects } = render(['postgresql.enabled=false', 'postgresql.external.existingSecret=external-db', 'postgresql.moviesDatabase.enabled=true']);
    assert.equal(all(objects, 'Secret').length, 0);
    const movies = containerOf(find(objects, 'Deployment', 'movies'));
    assert.deepEqual(envOf(movies, 'MOVIES_DB_CONNECTION_STRING').valueFrom, { secretKeyRef: { name: 'external-db', key: 'movies-db-url' } });
    assert.ok(!(movies.env ?? []).some((e: { name: string }) => e.name === 'MOVIES_DB_PASSWORD'));
    assert.equal(initOf(objects), undefined);
    const renamed = render([
      'postgresql.enabled=false',
      'postgresql.external.existingSecret=external-db',
      'postgresql.external.secretKeys.moviesUrl=catalogue-url',
      'postgresql.moviesDatabase.enabled=true',
    ]).objects;
    assert.deepEqual(envOf(containerOf(find(renamed, 'Deployment', 'movies')), 'MOVIES_DB_CONNECTION_STRING').valueFrom, {
      secretKeyRef: { name: 'external-db', key: 'catalogue-url' },
    });
  });

  test('values reused from an older release (no postgresql.moviesDatabase) render exactly as before', () => {
    // `helm upgrade --reuse-values` replaces the chart's defaults with the old release's, which lack the new keys.
    const before = render(withPassword()).objects;
    const reused = render(withPassword('postgresql.moviesDatabase=null', 'postgresql.external.secretKeys.moviesUrl=null')).objects;
    assert.deepEqual(reused, before);
  });

  test('turned on over values reused from an older release: a clear failure, not a broken rendering', () => {
    const old = mkdtempSync(join(tmpdir(), 'cinemaabyss-chart-'));
    try {
      cpSync(join(ROOT, CHART), old, { recursive: true });
      const values = readFileSync(join(old, 'values.yaml'), 'utf8');
      const without = values.replace(/\n {2}# The movies service's own database[\s\S]*?\n(?= {2}external:)/, '\n').replace(/\n.*moviesUrl:.*/, '');
      assert.ok(!without.includes('moviesDatabase:') && !without.includes('moviesUrl'), 'the older values.yaml is made');
      writeFileSync(join(old, 'values.yaml'), without);
      const on = template(withMoviesPassword(), old);
      assert.notEqual(on.status, 0);
      assert.match(on.stderr, /postgresql\.moviesDatabase\.username has no value: .*--reset-then-reuse-values/);
      const urls = template(['postgresql.enabled=false', 'postgresql.external.existingSecret=external-db', 'postgresql.moviesDatabase.enabled=true'], old);
      assert.notEqual(urls.status, 0);
      assert.match(urls.stderr, /postgresql\.external\.secretKeys\.moviesUrl has no value/);
      assert.equal(template(withPassword(), old).status, 0, 'and off, the older values still render');
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });

  test('never a default password: turned on without one, the render fails and says what to give', () => {
    renderFails(
      withMoviesDb(),
      /postgresql\.moviesDatabase\.password is required with postgresql\.moviesDatabase\.enabled=true: install with --set postgresql\.moviesDatabase\.password=/,
    );
    renderFails(
      withMoviesDb('postgresql.enabled=false', 'postgresql.external.host=db.example'),
      /postgresql\.moviesDatabase\.password is required/,
      'an external server by host needs it too',
    );
  });

  test('inconsistent values fail with a reason', () => {
    renderFails(
      withMoviesPassword('postgresql.moviesDatabase.existingSecret=movies-credentials'),
      /either postgresql\.moviesDatabase\.password or postgresql\.moviesDatabase\.existingSecret/,
    );
    renderFails(withPassword(`postgresql.moviesDatabase.password=${MOVIES_PASSWORD}`), /postgresql\.moviesDatabase has credentials but is not enabled/);
    renderFails(withMoviesDb(`postgresql.moviesDatabase.password=${PASSWORD}`), /must not be the main password/);
    renderFails(withMoviesPassword('postgresql.moviesDatabase.username=cinemaabyss'), /must differ from postgresql\.auth\.username/);
    renderFails(withMoviesPassword('postgresql.moviesDatabase.database=cinemaabyss_events'), /must differ from the main and the events databases/);
    renderFails(withMoviesPassword('postgresql.moviesDatabase.username=Movies-Role'), /username/);
    renderFails(withMoviesDb('postgresql.moviesDatabase.existingSecret=Not_A_Name'), /existingSecret/);
  });
});

describe('helm template refuses bad values', () => {
  test('no password: fails with the required message', () => {
    renderFails([], /postgresql\.auth\.password is required: install with --set postgresql\.auth\.password=/);
  });
  test('postgresql.enabled=false without a URL Secret still needs a password and a host', () => {
    renderFails(['postgresql.enabled=false', 'postgresql.external.host=db.example'], /postgresql\.auth\.password is required/);
    renderFails(withPassword('postgresql.enabled=false'), /postgresql\.external\.host is required/);
  });
  test('migration.moviesPercent=150 violates the schema', () => {
    renderFails(
      withPassword('migration.moviesPercent=150'),
      /moviesPercent[\s\S]*(maximum|less than or equal)|(maximum|less than or equal)[\s\S]*moviesPercent/i,
    );
  });
  test('an unknown top-level key is rejected', () => {
    renderFails(withPassword('replicaCount=3'), /additional propert(y|ies)[\s\S]*replicaCount|replicaCount[\s\S]*not allowed/i);
  });
  test('a typo in a nested key, or a key of another service, is rejected', () => {
    renderFails(withPassword('services.gateway.autoscaling.maxReplica=4'), /maxReplica/);
    renderFails(withPassword('services.monolith.database=other'), /\/services\/monolith[\s\S]*database/);
  });
  test('metrics values are checked: an interval Prometheus cannot read, a non-string label', () => {
    renderFails(withPassword('metrics.serviceMonitor.enabled=true', 'metrics.serviceMonitor.interval=30 seconds'), /interval/);
    renderFails(withPassword('metrics.serviceMonitor.labels.release=1', 'metrics.serviceMonitor.enabled=true'), /labels|string/);
    renderFails(withPassword('metrics.scrapeAnnotation=true'), /scrapeAnnotation|additional/i);
  });

  test('enums, ranges and types are enforced', () => {
    renderFails(withPassword('migration.mode=weighted'), /mode/);
    renderFails(withPassword('services.gateway.replicaCount=0'), /replicaCount/);
    renderFails(withPassword('kafka.replicas=0'), /replicas/);
    renderFails(withPassword('services.movies.port=70000'), /port/);
    renderFails(withPassword('migration.gradual=maybe'), /gradual/);
    renderFails(withPassword('istio.destinationRules.movies.outlierDetection.maxEjectionPercent=120'), /maxEjectionPercent/);
    renderFails(withPassword('gatewayOverride.secret=short'), /secret/);
  });
  test('kafka.enabled=false needs external brokers', () => {
    renderFails(withPassword('kafka.enabled=false'), /kafka\.external\.brokers is required/);
  });
  test('inconsistent combinations fail with a reason', () => {
    renderFails(withPassword('imageCredentials.username=bot'), /imageCredentials needs both username and password/);
    renderFails(withPassword('istio.enabled=true', 'istio.trafficSplit.enabled=true', 'migration.gradual=true'), /alternatives/);
    renderFails(withPassword('services.events.autoscaling.enabled=true', 'services.events.autoscaling.maxReplicas=5'), /exceeds kafka\.numPartitions/);
    renderFails(withPassword('postgresql.auth.existingSecret=pg'), /either postgresql\.auth\.password or postgresql\.auth\.existingSecret/);
  });
});

describe('standalone Istio manifests (deploy/istio)', () => {
  const files = readdirSync(join(ROOT, 'deploy/istio'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `deploy/istio/${f}`);

  test('there are the DestinationRules and the split VirtualService', () => {
    assert.ok(files.includes('deploy/istio/destination-rules.yaml'));
    assert.ok(files.includes('deploy/istio/virtual-service-split.yaml'));
  });

  test('each file is valid and names Services and ports the chart creates', () => {
    const chart = template(withPassword());
    assert.equal(chart.status, 0, chart.stderr);
    for (const file of files) {
      const objects = check(chart.stdout, [file], `chart + ${file}`);
      assert.ok(
        objects.some((o) => o.apiVersion.startsWith('networking.istio.io/')),
        file,
      );
    }
  });

  test('the standalone DestinationRules carry the same traffic policy as the chart', () => {
    const chart = render(withPassword('istio.enabled=true')).objects;
    const standalone = check(template(withPassword()).stdout, ['deploy/istio/destination-rules.yaml']).filter((o) => o.kind === 'DestinationRule');
    assert.equal(standalone.length, 2);
    for (const rule of standalone) {
      assert.deepEqual(rule.spec.trafficPolicy, find(chart, 'DestinationRule', rule.metadata.name).spec.trafficPolicy, rule.metadata.name);
    }
  });

  test('the standalone split routes add up to 100 and mirroring reads only', () => {
    const chart = template(withPassword()).stdout;
    const split = files.flatMap((f) => check(chart, [f], `chart + ${f}`)).filter((o) => o.kind === 'VirtualService');
    assert.ok(split.length >= 2, 'the split and the mirror variants');
    for (const vs of split) {
      for (const route of vs.spec.http) {
        if (route.route.length > 1)
          assert.equal(
            route.route.reduce((n: number, r: { weight: number }) => n + r.weight, 0),
            100,
          );
        if (route.mirror) assert.equal(route.match[0].method.exact, 'GET');
      }
    }
  });
});

describe('manifest-check rejects what the API server would', () => {
  const deployment = (patch: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: ${patch.includes('#mismatch') ? 'other' : 'web'} }
    spec:
      containers:
        - name: web
          image: example/web:1
          ports: [{ name: http, containerPort: ${patch.includes('#port') ? 70000 : 8080} }]
${patch}`;

  const cases: Array<[string, string, RegExp]> = [
    ['an unknown field', deployment('          imagePullPolicyy: Always'), /unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolicyy"/],
    ['a wrong type', deployment('          stdin: "yes"'), /cannot unmarshal string into Go struct field .*stdin of type bool/],
    ['a duplicate key', deployment('          image: example/web:2'), /duplicate|already set|mapping key/i],
    ['a bad quantity', deployment('          resources: { requests: { cpu: 100mm } }'), /quantities must match|unable to parse quantity/],
    [
      'requests above limits',
      deployment('          resources: { requests: { memory: 2Gi }, limits: { memory: 1Gi } }'),
      /requests\.memory \(2Gi\) exceeds limits\.memory \(1Gi\)/,
    ],
    ['a port out of range', deployment('          #port'), /containerPort: 70000 is not in 1\.\.65535/],
    ['a probe without path', deployment('          readinessProbe: { httpGet: { port: http } }'), /readinessProbe\.httpGet\.path is missing/],
    ['a probe on an unknown port name', deployment('          livenessProbe: { httpGet: { path: /health, port: metrics } }'), /no port named "metrics"/],
    ['a selector that misses the template labels', deployment('          #mismatch'), /does not match the pod template labels/],
    [
      'an undefined $(VAR)',
      deployment('          env: [{ name: URL, value: "postgres://u:$(DB_PASS)@db/x" }]'),
      /\$\(DB_PASS\) refers to a variable not defined earlier/,
    ],
    ['an unknown kind', 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: x }\n', /unknown kind "Deploymnet"/],
    [
      'a removed API version',
      'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: { name: x }\nspec: { maxUnavailable: 1 }\n',
      /not served any more/,
    ],
    [
      'a Service selecting nothing',
      'apiVersion: v1\nkind: Service\nmetadata: { name: x }\nspec: { selector: { app: nothing }, ports: [{ port: 80 }] }\n',
      /selects no pods/,
    ],
    [
      'an HPA without its Deployment',
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: x }\nspec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ghost }, minReplicas: 1, maxReplicas: 3 }\n',
      /Deployment "ghost" is not in the input/,
    ],
    [
      'a typo inside an Istio spec',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: x }\nspec:\n  host: x.example.com\n  trafficPolicy: { outlierDetection: { consecutive5xxError: 5 } }\n',
      /spec\.trafficPolicy\.outlierDetection\.consecutive5xxError: unknown field/,
    ],
    [
      'a wrong type inside an Istio spec',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: x }\nspec:\n  host: x.example.com\n  trafficPolicy: { connectionPool: { tcp: { maxConnections: many } } }\n',
      /spec\.trafficPolicy\.connectionPool\.tcp\.maxConnections: must be an integer, not "many"/,
    ],
    [
      'a proto_name instead of the JSON name',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: x }\nspec:\n  host: x.example.com\n  trafficPolicy: { connectionPool: { tcp: { max_connections: 5 } } }\n',
      /the API names it "maxConnections"/,
    ],
    [
      'a bad Istio duration',
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: x }\nspec:\n  host: x.example.com\n  trafficPolicy: { outlierDetection: { interval: 10 seconds } }\n',
      /spec\.trafficPolicy\.outlierDetection\.interval: "10 seconds" is not a valid duration/,
    ],
    [
      'weights that do not add up to 100',
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: x }\nspec:\n  hosts: [a.example.com]\n  http: [{ route: [{ destination: { host: a.example.com }, weight: 60 }, { destination: { host: b.example.com }, weight: 60 }] }]\n',
      /weights add up to 120, not 100/,
    ],
    [
      'a typo in a ServiceMonitor',
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: x }\nspec:\n  selector: { matchLabels: { app: x } }\n  endpoints: [{ port: http, intervall: 15s }]\n',
      /unknown field "spec\.endpoints\[0\]\.intervall"/,
    ],
    [
      'a ServiceMonitor selecting no Service',
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: x }\nspec:\n  selector: { matchLabels: { app: nothing } }\n  endpoints: [{ port: http }]\n',
      /selects no Service in the input/,
    ],
    [
      'a ServiceMonitor on a port the Service does not name',
      `${deployment('')}---\napiVersion: v1\nkind: Service\nmetadata: { name: web, labels: { app: web } }\nspec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: http }] }\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: x }\nspec:\n  selector: { matchLabels: { app: web } }\n  endpoints: [{ port: metrics }]\n`,
      /endpoints\[0\]\.port "metrics" is not a port name of Service web/,
    ],
    [
      'a Pod Security violation',
      deployment('          securityContext: { allowPrivilegeEscalation: true }'),
      /allowPrivilegeEscalation must be false \(restricted\)/,
    ],
  ];

  for (const [what, manifest, expected] of cases) {
    test(`fails on ${what}`, () => {
      const r = helmSh(['check', '--pod-security', 'restricted', '-'], manifest);
      assert.equal(r.status, 1, `manifest-check accepted ${what}:\n${r.stderr}`);
      assert.match(r.stderr, expected);
    });
  }

  test('lists every problem at once, with kind and name', () => {
    const r = helmSh(
      ['check', '-'],
      `${deployment('          #port')}\n---\napiVersion: v1\nkind: Service\nmetadata: { name: Bad_Name }\nspec: { ports: [{ port: 0 }] }\n`,
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Deployment\/web .*containerPort: 70000/);
    assert.match(r.stderr, /Service\/Bad_Name .*metadata\.name/);
    assert.match(r.stderr, /Service\/Bad_Name .*port: 0 is not in 1\.\.65535/);
    assert.match(r.stderr, /manifest-check: \d+ problem\(s\) in 2 object\(s\)/);
  });

  test('accepts the value forms Istio accepts (5m durations, wrapper numbers)', () => {
    const r = helmSh(
      ['check', '-'],
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: x }\nspec:\n  host: x.example.com\n  trafficPolicy:\n    connectionPool: { tcp: { maxConnections: 10, connectTimeout: 250ms } }\n    outlierDetection: { consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 100 }\n',
    );
    assert.equal(r.status, 0, r.stderr);
  });

  test('accepts a valid manifest', () => {
    const r = helmSh(
      ['check', '-'],
      `${deployment('')}---\napiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { selector: { app: web }, ports: [{ port: 80, targetPort: http }] }\n`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /2 object\(s\) valid/);
  });
});
