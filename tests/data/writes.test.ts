// The data migration's phases 5 (writes to the movies service) and 6 (the monolith retired), and
// the way back from 5 to 4: ids never collide, nothing is lost or duplicated in either store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/events-stack.ts';
import { call } from '../support/stack.ts';
import { advance, back, insertMovies, reader, startDataStack, status, writer, type DataStack } from './support.ts';

type Movie = { id: number; title: string };
const catalogue = async (url: string) => (await call('GET', `${url}/api/movies`)).body as Movie[];

/** Phases 1 → 4 with the monolith taking the writes. */
async function toReads(stack: DataStack): Promise<void> {
  await advance(stack, 1);
  await advance(stack, 2);
  await eventually(async () => (await status(stack)).backfill.done, 60_000, 'backfill done');
  await advance(stack, 3);
  await advance(stack, 4);
}

/** Both stores agree (a clean reconciliation, then equal catalogues) and hold every written id once. */
async function converged(stack: DataStack, ids: number[]): Promise<void> {
  assert.equal(new Set(ids).size, ids.length, 'no id given twice');
  await eventually(async () => (await call('POST', `${stack.movies}/admin/data/reconcile`)).body.drift.total === 0, 30_000, 'a clean reconciliation');
  const own = await catalogue(stack.movies);
  const ownIds = new Set(own.map((m) => m.id));
  assert.equal(ownIds.size, own.length, 'no movie twice in the own store');
  assert.ok(
    ids.every((id) => ownIds.has(id)),
    'every acknowledged write is in the own store',
  );
}

describe('data migration: 1 → 5 → back to 4', () => {
  let stack: DataStack;
  before(async () => {
    stack = await startDataStack();
    await insertMovies(stack.legacy.database, 500);
  });
  after(() => stack?.close());

  test('writes move to the movies service and back; the monolith follows them; ids never collide', async () => {
    let target = stack.monolith;
    const writes = writer(() => target);
    const reads = reader(stack.movies);
    await toReads(stack);
    await advance(stack, 5);
    target = stack.movies; // what the gateway's route change does
    await eventually(async () => (await call('GET', `${stack.movies}/admin/data`)).body.phase === 5, 5000, 'phase 5');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await back(stack)).phase, 4);
    target = stack.monolith;
    await new Promise((r) => setTimeout(r, 1000));
    const ids = await writes.stop();
    assert.ok((await reads.stop()) > 0);
    await converged(stack, ids);
    // The movies written in phase 5 reached the monolith's tables through its copy of the events.
    await eventually(async () => JSON.stringify(await catalogue(stack.monolith)) === JSON.stringify(await catalogue(stack.movies)), 30_000, 'equal catalogues');
  });
});

describe('data migration: 1 → 6', () => {
  let stack: DataStack;
  before(async () => {
    stack = await startDataStack();
    await insertMovies(stack.legacy.database, 500);
  });
  after(() => stack?.close());

  test('after retirement the movies service gives its own ids, after every monolith id; the monolith tables refuse writes', async () => {
    let target = stack.monolith;
    const writes = writer(() => target);
    await toReads(stack);
    await advance(stack, 5);
    target = stack.movies;
    await new Promise((r) => setTimeout(r, 1000));
    await advance(stack, 6);
    await new Promise((r) => setTimeout(r, 1000));
    const ids = await writes.stop();
    const state = await status(stack);
    assert.equal(state.name, 'retired');
    assert.equal(state.blockers, null);
    assert.equal((await call('POST', `${stack.movies}/admin/data/back`, { reason: 'undo' })).status, 409, 'phase 6 is final');
    assert.equal((await call('POST', `${stack.movies}/admin/data/reconcile?repair=true`)).status, 409, 'a retired monolith is not repaired');
    assert.equal(new Set(ids).size, ids.length, 'no id given twice');
    const own = await catalogue(stack.movies);
    const ownIds = new Set(own.map((m) => m.id));
    assert.ok(
      ids.every((id) => ownIds.has(id)),
      'every acknowledged write is in the own store',
    );
    const retired = await call('POST', `${stack.monolith}/api/movies`, { title: 'Too late', description: '', rating: 1 });
    // A clear 410 naming where movies live now; no SQL or trigger name leaks.
    assert.equal(retired.status, 410);
    assert.equal(retired.body.error, "the monolith's movies are retired: create movies through the gateway (the movies service owns them)");
    assert.equal(retired.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.doesNotMatch(retired.text, /trigger|SQL|insert/i, 'no internals leak');
    const created = await call('POST', `${stack.movies}/api/movies`, { title: 'After retirement', description: '', genres: ['b', 'A'], rating: 5 });
    assert.equal(created.status, 201);
    assert.ok(created.body.id > Math.max(...(await catalogue(stack.monolith)).map((m) => m.id)));
    assert.deepEqual((await call('GET', `${stack.movies}/api/movies?id=${created.body.id}`)).body, created.body);
  });
});
