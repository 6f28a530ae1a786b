// `outbox ...` (cli.ts): the operator's view of the transactional outbox, and parking.
import { parseArgs } from 'node:util';
import type { Db } from '@cinemaabyss/db';
import type { OutboxRow, OutboxTable } from './schema.ts';
import { listOutbox, outboxStatus, parkOutboxRow, unparkOutboxRow, type OutboxState } from './store.ts';

export const OUTBOX_USAGE = [
  'status                                 counts, oldest pending row (exit 3 while a row blocks its key)',
  'list [--blocked|--parked] [--limit N]  pending rows (default), only the blocked, or the parked ones',
  'park <id> --reason <text>              stop publishing a row; the later rows of its key go out',
  'unpark <id>                            queue a parked row again (published as a redelivery)',
];

/** Exit codes, for scripts and alerts. */
export const EXIT = { ok: 0, failed: 1, usage: 2, blocked: 3 } as const;

export type OutboxCommand =
  | { name: 'status' }
  | { name: 'list'; state: OutboxState; limit: number }
  | { name: 'park'; id: number; reason: string }
  | { name: 'unpark'; id: number };

export class UsageError extends Error {}

const positive = (what: string, text: string | undefined): number => {
  if (!text || !/^[1-9]\d{0,14}$/.test(text)) throw new UsageError(`${what} is a positive integer (got ${JSON.stringify(text ?? '')})`);
  return Number(text);
};

/** Parses the words after `outbox`; throws UsageError. */
export function parseOutboxCommand(args: string[]): OutboxCommand {
  const parsed = (() => {
    try {
      return parseArgs({
        args,
        allowPositionals: true,
        options: { blocked: { type: 'boolean' }, parked: { type: 'boolean' }, limit: { type: 'string' }, reason: { type: 'string' } },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  })();
  const { values, positionals } = parsed;
  const [name, id, ...extra] = positionals;
  const allowed: Record<string, string[]> = { status: [], list: ['blocked', 'parked', 'limit'], park: ['reason'], unpark: [] };
  const options = allowed[name ?? ''];
  if (!options) throw new UsageError(name ? `unknown outbox command ${JSON.stringify(name)}` : 'an outbox command is required');
  const misplaced = Object.keys(values).filter((option) => !options.includes(option));
  if (misplaced.length > 0) throw new UsageError(`outbox ${name} takes no --${misplaced.join(', --')}`);
  const positionalCount = name === 'park' || name === 'unpark' ? 1 : 0;
  if ((id === undefined ? 0 : 1 + extra.length) > positionalCount) throw new UsageError(`too many arguments for outbox ${name}`);
  switch (name) {
    case 'status':
      return { name };
    case 'list': {
      if (values.blocked && values.parked) throw new UsageError('--blocked and --parked exclude each other');
      const limit = values.limit === undefined ? 100 : positive('--limit', values.limit);
      return { name, state: values.blocked ? 'blocked' : values.parked ? 'parked' : 'pending', limit };
    }
    case 'park': {
      const reason = values.reason?.trim();
      if (!reason) throw new UsageError('outbox park needs --reason <text> (kept with the row for whoever looks next)');
      return { name, id: positive('an outbox row id', id), reason };
    }
    default:
      return { name: 'unpark', id: positive('an outbox row id', id) };
  }
}

/** Left-aligned columns under a header: readable in a terminal, greppable in a log. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [headers, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const time = (date: Date | null) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');
const clip = (text: string | null, max = 80) => {
  const line = (text ?? '').replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

function rowsTable(rows: OutboxRow[]): string {
  return table(
    ['ID', 'EVENT ID', 'TOPIC', 'KEY', 'TYPE', 'STATE', 'ATTEMPTS', 'CREATED', 'NOTE'],
    rows.map((r) => [
      String(r.id),
      r.eventId,
      r.topic,
      clip(r.key, 40),
      r.type,
      r.parkedAt ? 'parked' : r.blockedAt ? 'blocked' : 'pending',
      String(r.attempts),
      time(r.createdAt),
      r.parkedAt ? `parked ${time(r.parkedAt)}: ${clip(r.parkedReason)}` : clip(r.lastError),
    ]),
  );
}

/** Runs one command on `outbox` (default: the monolith's outbox); returns the process exit code. */
export async function runOutboxCommand(
  db: Db,
  command: OutboxCommand,
  io: { out: (text: string) => void; err: (text: string) => void },
  outbox?: OutboxTable,
): Promise<number> {
  switch (command.name) {
    case 'status': {
      const s = await outboxStatus(db, outbox);
      io.out(
        table(
          ['ROWS', 'COUNT', ''],
          [
            ['pending', String(s.pending), s.pending > 0 ? `oldest ${s.oldestPendingSeconds.toFixed(1)} s` : ''],
            ['blocked', String(s.blocked), s.blocked > 0 ? 'each holds back its key: outbox list --blocked, then park' : ''],
            ['parked', String(s.parked), s.parked > 0 ? 'never published until unparked: outbox list --parked' : ''],
          ],
        ),
      );
      return s.blocked > 0 ? EXIT.blocked : EXIT.ok;
    }
    case 'list': {
      const rows = await listOutbox(db, command.state, command.limit, outbox);
      io.out(rows.length > 0 ? rowsTable(rows) : `no ${command.state} outbox rows`);
      return EXIT.ok;
    }
    case 'park':
    case 'unpark': {
      const result = command.name === 'park' ? await parkOutboxRow(db, command.id, command.reason, outbox) : await unparkOutboxRow(db, command.id, outbox);
      if (!result.ok) {
        io.err(result.reason);
        return EXIT.failed;
      }
      io.out(`${command.name === 'park' ? 'parked' : 'unparked (queued again)'}:\n${rowsTable([result.row])}`);
      return EXIT.ok;
    }
  }
}
