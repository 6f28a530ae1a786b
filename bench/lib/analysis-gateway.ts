// The gateway for bench/analysis.ts, as a child process: the movies route split 50 % (sticky)
// between two names of the same upstream, access log off. ANALYSIS=on: the analysis counts every
// request of the route (canary, shadow at 0 %) and its loop flushes and judges windows every
// second in the gateway's database, as the elected replica does: PostgreSQL at DATABASE_URL (the
// distributed gateway), or an in-process PGlite when DATABASE_URL is unset (the embedded mode).
// ANALYSIS=off: the gateway without any control plane.
//   UPSTREAM=http://127.0.0.1:<port> PORT=<port> ANALYSIS=on|off [DATABASE_URL=postgres://…] node --conditions=source bench/lib/analysis-gateway.ts
import { connectPostgres, migrate, openPglite } from '@cinemaabyss/db';
import { buildGateway, validateRouteTable } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import { createLogger } from '@cinemaabyss/logging';
import type { ControlPlane } from '../../services/gateway/src/control/ports.ts';
import { applyChanges, effectivePercent, initialState } from '../../services/gateway/src/control/state.ts';

const upstream = process.env['UPSTREAM']!;
const table = validateRouteTable({
  backends: { monolith: { url: upstream }, movies: { url: upstream } },
  routes: [
    { name: 'movies', prefix: '/api/movies', backend: 'monolith', migration: { to: 'movies', enabled: true, percent: 50, mode: 'sticky' } },
    { name: 'monolith', prefix: '/', backend: 'monolith' },
  ],
});
const logger = createLogger('gateway', { level: 'warn' });
const analysed = process.env['ANALYSIS'] === 'on';
const databaseUrl = process.env['DATABASE_URL'];
const database = !analysed ? undefined : databaseUrl ? connectPostgres({ url: databaseUrl, poolSize: 4 }) : await openPglite();
if (database) await migrate(database, { folder: new URL('../../services/gateway/migrations', import.meta.url).pathname, table: '__gateway_migrations' });

const { app, analysis } = await buildGateway({
  table,
  logger,
  accessLog: false,
  ...(database ? { analysis: { database, replicaId: 'bench' } } : {}),
});
if (analysis) {
  // The state a plane would apply: a canary at 50 % with analysis on and no shadow.
  const i = table.routes.findIndex((r) => r.name === 'movies');
  const route = table.routes[i]!;
  const state = applyChanges(initialState(route, new Date())!, { stage: 'canary', percent: 50, analysis: { enabled: true, windowSeconds: 10 } }, new Date());
  table.routes[i] = { ...route, migration: { ...route.migration!, percent: effectivePercent(state) }, live: state };
  const plane: ControlPlane = {
    list: () => [state],
    get: () => state,
    change: () => Promise.reject(new Error('the benchmark keeps its state')),
    audit: async () => [],
    onChange: () => {},
    close: async () => {},
  };
  analysis.start(plane);
}
await listen(app, Number(process.env['PORT']), '127.0.0.1');
const stop = () =>
  void app
    .close()
    .then(() => database?.close())
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
