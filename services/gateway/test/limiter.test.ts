import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter, LimiterFullError } from '../src/resilience/limiter.ts';

// mulberry32: tiny seeded PRNG so the interleaving test is reproducible.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

test('concurrency never exceeds max under randomized interleaving', async () => {
  for (const seed of [1, 42, 1337]) {
    const rand = prng(seed);
    const max = 3;
    const limiter = new Limiter({ maxConcurrent: max, maxPending: 1000 });
    let running = 0;
    let peak = 0;
    let done = 0;
    const task = async () => {
      await ticks(Math.floor(rand() * 5));
      const release = await limiter.acquire();
      running++;
      peak = Math.max(peak, running);
      assert.ok(running <= max && limiter.active() <= max);
      await ticks(Math.floor(rand() * 10));
      running--;
      release();
      if (rand() < 0.5) release(); // double release must stay harmless
      done++;
    };
    await Promise.all(Array.from({ length: 200 }, task));
    assert.equal(done, 200);
    assert.equal(peak, max, `seed ${seed} should saturate`);
    assert.equal(limiter.active(), 0);
    assert.equal(limiter.pending(), 0);
  }
});

test('rejects at once with LimiterFullError when the pending queue is full', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 2 });
  const r1 = await limiter.acquire();
  const w1 = limiter.acquire();
  const w2 = limiter.acquire();
  assert.equal(limiter.pending(), 2);
  await assert.rejects(limiter.acquire(), LimiterFullError);
  assert.equal(limiter.pending(), 2);
  r1();
  (await w1)();
  (await w2)();
  assert.equal(limiter.active(), 0);
});

test('maxPending 0 means no queue at all', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 0 });
  await limiter.acquire();
  await assert.rejects(limiter.acquire(), (e: unknown) => e instanceof LimiterFullError && e.name === 'LimiterFullError');
});

test('waiters are served FIFO', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 10 });
  const first = await limiter.acquire();
  const order: number[] = [];
  const waiters = [0, 1, 2, 3].map((i) =>
    limiter.acquire().then((release) => {
      order.push(i);
      release();
    }),
  );
  first();
  await Promise.all(waiters);
  assert.deepEqual(order, [0, 1, 2, 3]);
});

test('abort removes a waiter and rejects with the signal reason', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 10 });
  const first = await limiter.acquire();
  const ac = new AbortController();
  const aborted = limiter.acquire(ac.signal);
  const next = limiter.acquire();
  assert.equal(limiter.pending(), 2);
  const reason = new Error('client went away');
  ac.abort(reason);
  await assert.rejects(aborted, (e) => e === reason);
  assert.equal(limiter.pending(), 1);
  first();
  const release = await next; // the slot skipped the aborted waiter
  assert.equal(limiter.active(), 1);
  release();
  ac.abort(); // aborting after the fact is harmless
  assert.equal(limiter.active(), 0);
});

test('an already-aborted signal rejects without taking a slot', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 1 });
  const reason = new Error('gone');
  await assert.rejects(limiter.acquire(AbortSignal.abort(reason)), (e) => e === reason);
  assert.equal(limiter.active(), 0);
  assert.equal(limiter.pending(), 0);
});

test('a granted waiter is unaffected by a later abort', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 1 });
  const first = await limiter.acquire();
  const ac = new AbortController();
  const waiting = limiter.acquire(ac.signal);
  first();
  const release = await waiting;
  ac.abort();
  assert.equal(limiter.active(), 1);
  release();
  assert.equal(limiter.active(), 0);
});

test('double release frees exactly one slot', async () => {
  const limiter = new Limiter({ maxConcurrent: 2, maxPending: 0 });
  const a = limiter.tryAcquire()!;
  const b = limiter.tryAcquire()!;
  a();
  a();
  assert.equal(limiter.active(), 1);
  const c = limiter.tryAcquire();
  assert.ok(c);
  assert.equal(limiter.tryAcquire(), undefined);
  b();
  c();
  assert.equal(limiter.active(), 0);
});

test('tryAcquire never queues and cannot jump ahead of waiters', async () => {
  const limiter = new Limiter({ maxConcurrent: 1, maxPending: 1 });
  const first = limiter.tryAcquire();
  assert.ok(first);
  assert.equal(limiter.tryAcquire(), undefined);
  assert.equal(limiter.pending(), 0);
  const waiting = limiter.acquire();
  first();
  assert.equal(limiter.tryAcquire(), undefined); // slot was handed to the waiter
  (await waiting)();
  assert.ok(limiter.tryAcquire());
});

test('rejects invalid options', () => {
  assert.throws(() => new Limiter({ maxConcurrent: 0, maxPending: 0 }), RangeError);
  assert.throws(() => new Limiter({ maxConcurrent: 1, maxPending: -1 }), RangeError);
});
