// The data migration driven through the gateway's admin API (operator token, reason, audit) while
// movies are created and read through the gateway: phases 1 → 6, and 1 → 5 → back to 4. Nothing
// lost, nothing duplicated, no drift at the end; phase 5 sends all of /api/movies to the service.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataStatus } from '@cinemaabyss/api';
import { eventually } from '../support/events-stack.ts';
import { call } from '../support/stack.ts';
import { OPERATOR_TOKEN, insertMovies, reader, startDataStack, writer, type DataStack } from './support.ts';

const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
type Movie = { id: number };

async function admin(stack: DataStack, method: string, path: string, body?: unknown) {
  return call(method, `${stack.gateway!.admin}${path}`, body, auth);
}

/** One phase forward through the gateway, retried while blocked (backfill running, drift, lag). */
async function advance(stack: DataStack, to: number): Promise<DataStatus> {
  let last = '';
  let status!: DataStatus;
  await eventually(
    async () => {
      const answer = await admin(stack, 'POST', '/admin/data/advance', { reason: `e2e: to phase ${to}` });
      if (answer.status === 200) status = answer.body;
      else if (answer.status === 409) last = answer.body.error;
      else throw new Error(`advance: ${answer.status} ${answer.text}`);
      return answer.status === 200;
    },
    60_000,
    `phase ${to} (last refusal: ${last})`,
  );
  assert.equal(status.phase, to);
  return status;
}

const CTL = resolve(import.meta.dirname, '../../services/gateway/src/cli/ctl.ts');

/** `npm run ctl -- <args>` as a child process against the stack's admin API. */
function ctl(stack: DataStack, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--conditions=source', CTL, ...args],
      { env: { PATH: process.env['PATH'] ?? '', CINEMAABYSS_ADMIN_URL: stack.gateway!.admin, CINEMAABYSS_ADMIN_TOKEN: OPERATOR_TOKEN }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

async function route(stack: DataStack) {
  return (await admin(stack, 'GET', '/admin/routes/movies')).body.state as { stage: string; percent: number };
}

/** Both stores hold every acknowledged write exactly once, and agree. */
async function converged(stack: DataStack, ids: number[]): Promise<void> {
  assert.ok(ids.length > 0);
  assert.equal(new Set(ids).size, ids.length, 'no id given twice');
  await eventually(async () => (await call('POST', `${stack.movies}/admin/data/reconcile`)).body.drift.total === 0, 30_000, 'a clean reconciliation');
  const list = async (url: string) => ((await call('GET', `${url}/api/movies`)).body as Movie[]).map((m) => m.id);
  const own = await list(stack.movies);
  assert.equal(new Set(own).size, own.length, 'no movie twice');
  const present = new Set(own);
  assert.deepEqual(
    ids.filter((id) => !present.has(id)),
    [],
    'no acknowledged write lost',
  );
  await eventually(
    async () => JSON.stringify(await list(stack.monolith)) === JSON.stringify(await list(stack.movies)),
    30_000,
    'the monolith has every movie too',
  );
}

for (const [title, forward, backTo] of [
  ['phases 1 → 6', 6, undefined],
  ['phases 1 → 5, then back to 4', 5, 4],
] as const) {
  describe(`data migration through the gateway: ${title}`, () => {
    let stack: DataStack;
    before(async () => {
      stack = await startDataStack({}, { gateway: true });
      await insertMovies(stack.legacy.database, 1000);
    });
    after(() => stack?.close());

    test('movies written and read through the gateway all the way: none lost, none twice, no drift', async () => {
      const gateway = stack.gateway!.url;
      const refused = await call('POST', `${stack.gateway!.admin}/admin/data/advance`, { reason: 'no token' });
      assert.equal(refused.status, 401);
      assert.equal((await admin(stack, 'POST', '/admin/data/advance', {})).status, 400, 'a reason is required');

      const writes = writer(gateway);
      const reads = reader(gateway);
      for (let phase = 1; phase <= 4; phase++) await advance(stack, phase);
      assert.equal((await route(stack)).stage, 'canary', 'phases 1–4 leave the split alone');
      await advance(stack, 5);
      assert.equal((await route(stack)).stage, 'migrated', 'phase 5 sends all of /api/movies to the movies service');
      const post = await call('POST', `${gateway}/api/movies`, { title: 'Phase 5', description: '', rating: 5 });
      assert.equal(post.headers.get('x-served-by'), 'movies');
      if (forward === 6) {
        await advance(stack, 6);
        const final = await admin(stack, 'POST', '/admin/data/back', { reason: 'undo' });
        assert.equal(final.status, 409, 'phase 6 is final');
      }
      if (backTo === 4) {
        const back = await admin(stack, 'POST', '/admin/data/back', { reason: 'e2e: back to 4' });
        assert.equal(back.status, 200);
        assert.equal(back.body.phase, 4);
        assert.deepEqual(await route(stack).then((s) => [s.stage, s.percent]), ['canary', 50], 'the split before phase 5 is back');
      }
      await new Promise((r) => setTimeout(r, 1000));
      const ids = [...(await writes.stop()), post.body.id as number];
      assert.ok((await reads.stop()) > 0);
      if (forward === 6) {
        const list = async (url: string) => ((await call('GET', `${url}/api/movies`)).body as Movie[]).map((m) => m.id);
        const own = new Set(await list(stack.movies));
        assert.equal(own.size, (await list(stack.movies)).length);
        assert.deepEqual(
          ids.filter((id) => !own.has(id)),
          [],
          'no acknowledged write lost',
        );
        assert.equal(new Set(ids).size, ids.length, 'no id given twice');
      } else {
        await converged(stack, ids);
      }
      if (backTo === 4) {
        // The operator CLI on the same API: status for a person, and a change without a reason refused.
        const status = await ctl(stack, ['data', 'status']);
        assert.equal(status.code, 0, status.stderr);
        assert.match(status.stdout, /^phase 4 \(reads\); own database: (pglite|postgres)/);
        assert.match(status.stdout, /next phase: nothing blocks it|blocks the next phase/);
        assert.equal((await ctl(stack, ['data', 'advance'])).code, 2, 'a change needs --reason');
      }
      const audit = (await admin(stack, 'GET', '/admin/audit?route=movies&limit=20')).body as { action: string; reason: string; actor: { label: string } }[];
      const data = audit.filter((e) => e.action === 'data');
      assert.equal(data.length, forward + (backTo ? 1 : 0), 'every phase change is audited');
      assert.ok(data.every((e) => e.actor.label === 'ops' && /^data phase \d → \d \(\w+\): e2e/.test(e.reason)));
    });
  });
}
