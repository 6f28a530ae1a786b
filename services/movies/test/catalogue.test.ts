import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalogue } from '../src/catalogue/catalogue.ts';

/** A loader whose reads the test finishes by hand, in any order. */
function manualLoader() {
  const pending: { resolve: (items: string[]) => void; reject: (error: Error) => void }[] = [];
  const load = () => new Promise<string[]>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending };
}

test('concurrent requests share one read; the snapshot is then served without reading', async () => {
  const { load, pending } = manualLoader();
  const catalogue = new Catalogue(load);
  const a = catalogue.snapshot();
  const b = catalogue.snapshot();
  assert.equal(pending.length, 1);
  pending[0]!.resolve(['{"id":1}']);
  assert.equal((await a).body.toString(), '[{"id":1}]');
  assert.equal(await b, await a);
  assert.equal(catalogue.snapshot(), await a, 'served synchronously from the held snapshot');
  assert.equal(pending.length, 1);
});

test('a write during a read is not hidden behind the stale answer', async () => {
  const { load, pending } = manualLoader();
  const catalogue = new Catalogue(load);
  const before = catalogue.snapshot(); // read 1 starts, then a write lands and is announced
  catalogue.invalidate();
  const after = catalogue.snapshot(); // must not join read 1, whose query may predate the write
  assert.equal(pending.length, 2);
  pending[0]!.resolve(['{"id":1}']);
  assert.equal((await before).total, 1, 'a request from before the write may take the older read');
  assert.notEqual(catalogue.snapshot(), await before, 'but it is not kept as current');
  pending[1]!.resolve(['{"id":1}', '{"id":2}']);
  const fresh = await after;
  assert.equal(fresh.total, 2);
  assert.equal(catalogue.snapshot(), fresh);
  assert.notEqual(fresh.etag, (await before).etag);
});

test('a refresh serves the held snapshot meanwhile, keeps the ETag when nothing changed, and a refresh overtaken by a write is dropped', async () => {
  const { load, pending } = manualLoader();
  const catalogue = new Catalogue(load);
  const first = catalogue.snapshot();
  pending[0]!.resolve(['{"id":1}']);
  const held = await first;
  const same = catalogue.refresh();
  assert.equal(catalogue.snapshot(), held);
  pending[1]!.resolve(['{"id":1}']);
  await same;
  assert.equal((catalogue.snapshot() as { etag: string }).etag, held.etag);

  const overtaken = catalogue.refresh();
  catalogue.invalidate();
  const next = catalogue.snapshot();
  pending[2]!.resolve(['{"id":1}']);
  await overtaken;
  pending[3]!.resolve(['{"id":1}', '{"id":2}']);
  assert.equal((await next).total, 2);
  assert.equal(catalogue.snapshot(), await next);
});

test('a failed read fails its waiters and the next request reads again', async () => {
  const { load, pending } = manualLoader();
  const catalogue = new Catalogue(load);
  const failing = catalogue.snapshot();
  pending[0]!.reject(new Error('database down'));
  await assert.rejects(async () => failing, /database down/);
  const retry = catalogue.snapshot();
  assert.equal(pending.length, 2);
  pending[1]!.resolve([]);
  assert.equal((await retry).body.toString(), '[]');
});

test('pages are slices of the serialised list with their own ETags', async () => {
  const catalogue = new Catalogue(async () => ['1', '2', '3'].map((id) => `{"id":${id}}`));
  const snapshot = await catalogue.snapshot();
  assert.equal(snapshot.page(1, 1).body.toString(), '[{"id":2}]');
  assert.equal(snapshot.page(2).body.toString(), '[{"id":3}]');
  assert.equal(snapshot.page(5, 2).body.toString(), '[]');
  assert.equal(snapshot.page(0, 10), snapshot, 'a page covering everything is the list itself');
  const tags = new Set([snapshot.etag, snapshot.page(1, 1).etag, snapshot.page(1, 2).etag, snapshot.page(1).etag]);
  assert.equal(tags.size, 4);
  for (const tag of tags) assert.match(tag, /^"[\w.-]+"$/);
});
