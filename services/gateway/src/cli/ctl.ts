// The operator CLI: `npm run ctl -- <command>`, in the spirit of `kubectl argo rollouts`. It talks to
// the gateway's admin API only (CINEMAABYSS_ADMIN_URL, CINEMAABYSS_ADMIN_TOKEN); exit codes in USAGE.
import type { Static } from 'typebox';
import type { AuditEntry, ChangeResult, RouteView, ShadowReport, WindowVerdict } from '../admin/schemas.ts';
import { USAGE, parseInvocation, type Invocation } from './args.ts';
import { AdminClient, CliError, EXIT } from './client.ts';
import type { DataStatus } from '@cinemaabyss/api';
import { analysisTable, auditTable, changeSummary, dataText, routeDetails, shadowText, statusTable, type StatusRow } from './format.ts';

type View = Static<typeof RouteView>;
type Entry = Static<typeof AuditEntry>;

const routePath = (route: string) => `/admin/routes/${encodeURIComponent(route)}`;

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Runs one invocation; returns what to print (JSON text with --json). */
async function run(inv: Invocation, client: AdminClient): Promise<string> {
  const out = (data: unknown, text: () => string) => (inv.json ? JSON.stringify(data, null, 2) : text());
  const route = inv.route ?? '';
  switch (inv.command) {
    case 'status': {
      const views = await client.request<View[]>('GET', '/admin/routes');
      const rows: StatusRow[] = await Promise.all(
        views.map(async (view) => {
          const [shadow, [last]] = await Promise.all([
            client.request<Static<typeof ShadowReport>>('GET', `${routePath(view.state.route)}/shadow`),
            client.request<Entry[]>('GET', `/admin/audit${queryString({ route: view.state.route, limit: 1 })}`),
          ]);
          return { ...view, matchRate: shadow.matchRate, lastChange: last ?? null };
        }),
      );
      return out(rows, () => statusTable(rows));
    }
    case 'get': {
      const view = await client.request<View>('GET', routePath(route));
      return out(view, () => routeDetails(view));
    }
    case 'audit': {
      const entries = await client.request<Entry[]>('GET', `/admin/audit${queryString(inv.query)}`);
      return out(entries, () => auditTable(entries));
    }
    case 'shadow': {
      const report = await client.request<Static<typeof ShadowReport>>('GET', `${routePath(route)}/shadow`);
      return out(report, () => shadowText(route, report));
    }
    case 'data': {
      const status =
        route === 'status'
          ? await client.request<DataStatus>('GET', '/admin/data')
          : await client.request<DataStatus>('POST', `/admin/data/${route}`, { reason: inv.reason });
      return out(status, () => dataText(status));
    }
    case 'analysis': {
      const verdicts = await client.request<Static<typeof WindowVerdict>[]>('GET', `${routePath(route)}/analysis${queryString({ limit: inv.query.limit })}`);
      return out(verdicts, () => analysisTable(route, verdicts));
    }
    default: {
      // set and the actions: the answer is the new state; show what changed.
      const before = inv.json ? undefined : await client.request<View>('GET', routePath(route));
      const result =
        inv.command === 'set'
          ? await client.request<Static<typeof ChangeResult>>('PATCH', routePath(route), { changes: inv.changes, reason: inv.reason })
          : await client.request<Static<typeof ChangeResult>>('POST', `${routePath(route)}/${inv.command}`, { reason: inv.reason });
      return out(result, () => {
        const summary = before ? changeSummary({ old: before.state, new: result.state }) : '';
        return `${route}: ${inv.command} done (audit #${result.auditId}), now ${result.state.stage} at ${result.effectivePercent}% to ${result.state.to}\n  ${summary}`;
      });
    }
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const inv = parseInvocation(argv, process.env);
    if (inv.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    process.stdout.write(`${await run(inv, new AdminClient(inv.url, inv.token))}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
