import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, setupStack } from '../support/stack.ts';

const ctx = setupStack();
const users = () => `${ctx.stack.monolith}/api/users`;

describe('users', () => {
  test('lists the sample users with exactly id, username, email', async () => {
    const res = await call('GET', users());
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.body.length, 3);
    assert.deepEqual(res.body[0], { id: 1, username: 'user1', email: 'user1@example.com' });
    for (const user of res.body) assert.deepEqual(Object.keys(user).sort(), ['email', 'id', 'username']);
  });

  test('?id=N returns one object; an unknown id is 404 with an error', async () => {
    const one = await call('GET', `${users()}?id=2`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { id: 2, username: 'user2', email: 'user2@example.com' });
    const missing = await call('GET', `${users()}?id=999`);
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.body.error, 'string');
  });

  test('POST creates a user (201) that can then be read back', async () => {
    const created = await call('POST', users(), { username: 'trinity', email: 'trinity@example.com' });
    assert.equal(created.status, 201);
    assert.equal(created.body.username, 'trinity');
    assert.equal(created.body.email, 'trinity@example.com');
    assert.ok(Number.isInteger(created.body.id));
    const read = await call('GET', `${users()}?id=${created.body.id}`);
    assert.deepEqual(read.body, created.body);
  });

  test('duplicate username or email (in any letter case) is 409 and writes nothing', async () => {
    const before = (await call('GET', users())).body.length;
    const dupName = await call('POST', users(), { username: 'User1', email: 'fresh@example.com' });
    assert.equal(dupName.status, 409);
    assert.match(dupName.body.error, /username/);
    const dupEmail = await call('POST', users(), { username: 'fresh', email: 'USER1@example.com' });
    assert.equal(dupEmail.status, 409);
    assert.match(dupEmail.body.error, /email/);
    assert.equal((await call('GET', users())).body.length, before);
  });

  test('concurrent creates of one username: exactly one wins', async () => {
    const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => call('POST', users(), { username: 'racer', email: `racer${i}@example.com` })));
    const statuses = attempts.map((a) => a.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
  });
});
