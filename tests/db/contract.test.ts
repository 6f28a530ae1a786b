// One contract for both database adapters (PGlite and PostgreSQL): run with DB_BACKEND set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { count, eq, sql } from 'drizzle-orm';
import { foreignKeyViolation, migrate, movies, payments, seed, uniqueViolation, users } from '@cinemaabyss/db';
import { backend, freshDatabase, type TestDatabase } from '../support/backend.ts';

let t: TestDatabase;
before(async () => {
  t = await freshDatabase({ seed: false });
});
after(async () => {
  await t?.drop();
});

describe(`database adapter contract (${backend()})`, () => {
  test('ping answers', async () => {
    await t.database.ping();
  });

  test('migrations are idempotent and seeding happens once', async () => {
    await migrate(t.database);
    assert.equal(await seed(t.database.db), true);
    assert.equal(await seed(t.database.db), false);
    const [row] = await t.database.db.select({ n: count() }).from(movies);
    assert.equal(row!.n, 5);
  });

  test('a failed transaction leaves nothing behind', async () => {
    const before = await t.database.db.select({ n: count() }).from(users);
    await assert.rejects(
      t.database.db.transaction(async (tx) => {
        await tx.insert(users).values({ username: 'ghost', email: 'ghost@example.com' });
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual(await t.database.db.select({ n: count() }).from(users), before);
    assert.equal((await t.database.db.select().from(users).where(eq(users.username, 'ghost'))).length, 0);
  });

  test('constraint violations are classified the same way on both back-ends', async () => {
    const dup = await t.database.db
      .insert(users)
      .values({ username: 'USER1', email: 'other@example.com' })
      .catch((e: unknown) => e);
    assert.equal(uniqueViolation(dup), 'users_username_key');
    const orphan = await t.database.db
      .insert(payments)
      .values({ userId: 9999, amount: 1 })
      .catch((e: unknown) => e);
    assert.ok(foreignKeyViolation(orphan));
    const badRating = await t.database.db
      .insert(movies)
      .values({ title: 't', description: '', rating: 11 })
      .catch((e: unknown) => e);
    assert.ok(badRating instanceof Error, 'rating check constraint');
  });

  test('numeric amounts round-trip exactly and timestamps come back as Dates', async () => {
    const [row] = await t.database.db.insert(payments).values({ userId: 1, amount: 12345678.91 }).returning();
    assert.equal(row!.amount, 12345678.91);
    assert.ok(row!.timestamp instanceof Date);
  });

  test('text arrays come back as arrays', async () => {
    // Both drivers answer execute() with a result object carrying `rows`.
    const result = (await t.database.db.execute(sql`select array['x','y']::text[] as a`)) as unknown as {
      rows: { a: string[] }[];
    };
    assert.deepEqual(result.rows[0]!.a, ['x', 'y']);
  });

  test('a second handle sees committed writes', async () => {
    await t.database.db.insert(users).values({ username: 'seen', email: 'seen@example.com' });
    const other = await t.reopen();
    const rows = await other.db.select().from(users).where(eq(users.username, 'seen'));
    assert.equal(rows.length, 1);
  });
});
