import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { gatewayMetrics } from '../src/metrics.ts';

test('answers counted on the data plane show in the request and decision counters at every collection, added up', async () => {
  const registry = new Registry();
  const metrics = gatewayMetrics(registry, () => []);
  metrics.answered('movies', 'movies', 'bucket', 200);
  metrics.answered('movies', 'movies', 'bucket', 204);
  metrics.answered('movies', 'monolith', 'fallback', 503);
  metrics.answered('movies', 'monolith', 'breaker', 0);
  metrics.requests.inc({ route: 'movies', backend: 'movies', status_class: '2xx', reason: 'bucket' }); // prom-client's own way still adds up
  const text = await registry.metrics();
  assert.match(text, /^gateway_requests_total\{route="movies",backend="movies",status_class="2xx",reason="bucket"\} 3$/m);
  assert.match(text, /^gateway_requests_total\{route="movies",backend="monolith",status_class="5xx",reason="fallback"\} 1$/m);
  assert.match(text, /^gateway_requests_total\{route="movies",backend="monolith",status_class="0xx",reason="breaker"\} 1$/m);
  assert.match(text, /^gateway_routing_decisions_total\{route="movies",backend="movies",reason="bucket"\} 2$/m);
  assert.match(text, /^gateway_routing_decisions_total\{route="movies",backend="monolith",reason="fallback"\} 1$/m);

  metrics.answered('movies', 'movies', 'bucket', 200);
  const values = (await metrics.requests.get()).values;
  assert.equal(
    values.find((v) => v.labels['backend'] === 'movies' && v.labels['status_class'] === '2xx')?.value,
    4,
    'the next collection adds only what came since',
  );
  const decided = (await metrics.decisions.get()).values;
  assert.equal(decided.find((v) => v.labels['backend'] === 'movies')?.value, 3);
});
