// The CLI's command line: commands, their flags and how `set`'s flags become a MigrationChanges.
import { parseArgs } from 'node:util';
import { Type } from '@cinemaabyss/config';
import { CliError, EXIT } from './client.ts';

/** The CLI's environment (documented with the services' settings; flags override it). */
const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8001';
export const CtlSettings = Type.Object({
  CINEMAABYSS_ADMIN_URL: Type.String({ default: DEFAULT_ADMIN_URL, description: 'Where `npm run ctl` finds the gateway admin API (--url)' }),
  CINEMAABYSS_ADMIN_TOKEN: Type.Optional(Type.String({ description: 'Bearer token `npm run ctl` sends (--token)' })),
});

export const ACTIONS = ['promote', 'pause', 'resume', 'abort', 'kill', 'unkill'] as const;
const ROUTE_COMMANDS = new Set<string>(['get', 'set', 'shadow', 'analysis', ...ACTIONS]);
const COMMANDS = new Set<string>(['status', 'audit', 'help', 'data', ...ROUTE_COMMANDS]);
/** `data <action>`: the movies' data migration. */
export const DATA_ACTIONS = ['status', 'advance', 'back'] as const;

type Kind = 'int' | 'number' | 'bool' | 'string' | 'list' | 'ints';

/** `set`'s flags: where each lands in the changes and how its value is read. */
const SET_FLAGS: Record<string, [path: [string] | [string, string], kind: Kind]> = {
  percent: [['percent'], 'int'],
  mode: [['mode'], 'string'],
  enabled: [['enabled'], 'bool'],
  fallback: [['fallback'], 'bool'],
  stage: [['stage'], 'string'],
  steps: [['steps'], 'ints'],
  'shadow-percent': [['shadow', 'percent'], 'int'],
  'shadow-methods': [['shadow', 'methods'], 'list'],
  'shadow-twice-percent': [['shadow', 'twicePercent'], 'int'],
  'shadow-ignore': [['shadow', 'ignore'], 'list'],
  'shadow-sets': [['shadow', 'sets'], 'list'],
  'shadow-tolerance': [['shadow', 'tolerance'], 'number'],
  'shadow-max-concurrent': [['shadow', 'maxConcurrent'], 'int'],
  'shadow-timeout-ms': [['shadow', 'timeoutMs'], 'int'],
  'shadow-max-body-bytes': [['shadow', 'maxBodyBytes'], 'int'],
  analysis: [['analysis', 'enabled'], 'bool'],
  'window-seconds': [['analysis', 'windowSeconds'], 'int'],
  'min-requests': [['analysis', 'minRequests'], 'int'],
  'max-error-rate': [['analysis', 'maxErrorRate'], 'number'],
  'max-p99-ratio': [['analysis', 'maxP99Ratio'], 'number'],
  'max-mismatch-rate': [['analysis', 'maxMismatchRate'], 'number'],
  'fail-windows': [['analysis', 'failWindows'], 'int'],
  'pass-windows': [['analysis', 'passWindows'], 'int'],
  'auto-promote': [['analysis', 'autoPromote'], 'bool'],
  'rollback-to': [['analysis', 'rollbackTo'], 'string'],
};

export const USAGE = `Usage: npm run ctl -- <command> [options]

Commands:
  status                          every migrated route: stage, split, shadow, match rate, last change
  get <route>                     one route's whole state
  set <route> [flags] --reason R  change settings (validated as a whole by the gateway)
  promote|pause|resume|abort|kill|unkill <route> --reason R
  audit [--route R] [--limit N] [--before ID]
  shadow <route>                  match rate per endpoint, latest mismatches with their diffs
  analysis <route> [--limit N]    recent analysis windows and their checks
  data status                     the movies' data migration: phase, backfill, capture lag, drift, blockers
  data advance|back --reason R    one phase forward (refused while blocked) or back

set flags: ${Object.keys(SET_FLAGS)
  .map((f) => `--${f}`)
  .join(' ')}
  (lists are comma-separated; booleans true/false; --changes '<json>' for a raw MigrationChanges)

Options: --url U (CINEMAABYSS_ADMIN_URL, default ${DEFAULT_ADMIN_URL})
         --token T (CINEMAABYSS_ADMIN_TOKEN)   --json (raw JSON answers)
Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 unauthorised or forbidden, 4 admin API unreachable`;

export interface Invocation {
  command: string;
  route?: string;
  reason?: string;
  changes?: Record<string, unknown>;
  query: { route?: string; limit?: number; before?: number };
  json: boolean;
  url: string;
  token: string | undefined;
}

const usage = (message: string) => new CliError(EXIT.usage, `${message} (npm run ctl -- help: commands and flags)`);

function read(flag: string, kind: Kind, raw: string): unknown {
  const number = (text: string, integer: boolean) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
      throw usage(`--${flag} needs ${integer ? 'an integer' : 'a number'}, got '${text}'`);
    return n;
  };
  const list = () => (raw.trim() === '' ? [] : raw.split(',').map((item) => item.trim()));
  switch (kind) {
    case 'int':
      return number(raw, true);
    case 'number':
      return number(raw, false);
    case 'bool':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw usage(`--${flag} needs true or false, got '${raw}'`);
    case 'list':
      return list();
    case 'ints':
      return list().map((item) => number(item, true));
    case 'string':
      return raw;
  }
}

function changesFrom(values: Record<string, string | boolean | undefined>): Record<string, unknown> | undefined {
  let changes: Record<string, unknown> = {};
  if (typeof values['changes'] === 'string') {
    try {
      changes = JSON.parse(values['changes']) as Record<string, unknown>;
    } catch {
      throw usage('--changes needs a JSON object');
    }
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw usage('--changes needs a JSON object');
  }
  for (const [flag, [path, kind]] of Object.entries(SET_FLAGS)) {
    const raw = values[flag];
    if (typeof raw !== 'string') continue;
    const value = read(flag, kind, raw);
    if (path.length === 1) changes[path[0]] = value;
    else changes[path[0]] = { ...(changes[path[0]] as object | undefined), [path[1]]: value };
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

export function parseInvocation(argv: string[], env: NodeJS.ProcessEnv): Invocation {
  const parsed = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          url: { type: 'string' },
          token: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          reason: { type: 'string' },
          route: { type: 'string' },
          limit: { type: 'string' },
          before: { type: 'string' },
          changes: { type: 'string' },
          ...Object.fromEntries(Object.keys(SET_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        },
      });
    } catch (error) {
      throw usage((error as Error).message);
    }
  })();

  const { values, positionals } = parsed;
  const [command = 'help', route, ...extra] = positionals;
  if (values.help) return { command: 'help', query: {}, json: false, url: '', token: undefined };
  if (!COMMANDS.has(command)) throw usage(`unknown command '${command}'`);
  if (command === 'data' && !(DATA_ACTIONS as readonly (string | undefined)[]).includes(route)) throw usage(`data needs one of ${DATA_ACTIONS.join(', ')}`);
  if (ROUTE_COMMANDS.has(command) && route === undefined) throw usage(`${command} needs a route`);
  if (!ROUTE_COMMANDS.has(command) && command !== 'data' && route !== undefined) throw usage(`${command} takes no route (got '${route}')`);
  if (extra.length > 0) throw usage(`unexpected argument '${extra[0]}'`);

  const changes = changesFrom(values as Record<string, string | boolean | undefined>);
  if (changes && command !== 'set') throw usage(`setting flags belong to set, not ${command}`);
  const changing = command === 'set' || (ACTIONS as readonly string[]).includes(command) || (command === 'data' && route !== 'status');
  if (changing && (values.reason === undefined || values.reason.trim() === '')) throw usage(`${command} needs --reason "why"`);
  if (!changing && values.reason !== undefined) throw usage(`${command} changes nothing: --reason does not apply`);
  if (command === 'set' && !changes) throw usage('set needs at least one setting flag or --changes');

  const query: Invocation['query'] = {};
  if (values.route !== undefined) query.route = values.route;
  if (values.limit !== undefined) query.limit = read('limit', 'int', values.limit) as number;
  if (values.before !== undefined) query.before = read('before', 'int', values.before) as number;
  return {
    command,
    ...(route !== undefined ? { route } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    ...(changes ? { changes } : {}),
    query,
    json: values.json ?? false,
    url: values.url ?? env['CINEMAABYSS_ADMIN_URL'] ?? DEFAULT_ADMIN_URL,
    token: values.token ?? env['CINEMAABYSS_ADMIN_TOKEN'],
  };
}
