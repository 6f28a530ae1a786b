// The real stack behind the viewer: monolith, movies and events services on one database and bus
// (tests/support/events-stack.ts), and the gateway in front serving the viewer's production build,
// all on free ports. `npm run test:web` builds the viewer first when it is missing or stale.
import { after, before } from 'node:test';
import { buildGateway, findWebBuild, loadGatewayConfig, repositoryWebBuild, tableFromEnv, validateRouteTable, type Gateway } from '@cinemaabyss/gateway';
import { listen } from '@cinemaabyss/http';
import { startEventsStack, type EventsStack } from '../../support/events-stack.ts';
import { quietLogger } from '../../support/stack.ts';

export interface ViewerStack {
  services: EventsStack;
  gateway: Gateway;
  /** The gateway's origin: where a person opens the viewer. */
  url: string;
}

export async function startViewerStack(): Promise<ViewerStack> {
  const dir = repositoryWebBuild('viewer');
  const web = findWebBuild(dir);
  if (!web) throw new Error(`no viewer build in ${dir}: run npm run build:web (npm run test:web does)`);
  const services = await startEventsStack();
  const config = loadGatewayConfig({ MONOLITH_URL: services.monolith, MOVIES_SERVICE_URL: services.movies, EVENTS_SERVICE_URL: services.events });
  const gateway = await buildGateway({ table: validateRouteTable(tableFromEnv(config)), logger: quietLogger(), accessLog: false, web });
  const url = await listen(gateway.app, 0, '127.0.0.1');
  return { services, gateway, url };
}

/** Registers before/after hooks: a viewer stack for this test file. */
export function setupViewerStack(): { stack: ViewerStack } {
  const context = {} as { stack: ViewerStack };
  before(async () => {
    context.stack = await startViewerStack();
  });
  after(async () => {
    await context.stack?.gateway.app.close();
    await context.stack?.services.close();
  });
  return context;
}
