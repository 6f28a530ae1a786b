import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOutboxCommand, UsageError } from '../src/commands.ts';

test('outbox commands parse into what they do', () => {
  assert.deepEqual(parseOutboxCommand(['status']), { name: 'status' });
  assert.deepEqual(parseOutboxCommand(['list']), { name: 'list', state: 'pending', limit: 100 });
  assert.deepEqual(parseOutboxCommand(['list', '--blocked', '--limit', '5']), { name: 'list', state: 'blocked', limit: 5 });
  assert.deepEqual(parseOutboxCommand(['list', '--parked']), { name: 'list', state: 'parked', limit: 100 });
  assert.deepEqual(parseOutboxCommand(['park', '42', '--reason', ' too large ']), { name: 'park', id: 42, reason: 'too large' });
  assert.deepEqual(parseOutboxCommand(['park', '--reason=why', '7']), { name: 'park', id: 7, reason: 'why' });
  assert.deepEqual(parseOutboxCommand(['unpark', '42']), { name: 'unpark', id: 42 });
});

test('anything else is a usage error, before the database is opened', () => {
  for (const args of [
    [],
    ['bogus'],
    ['status', 'extra'],
    ['status', '--blocked'],
    ['list', '--blocked', '--parked'],
    ['list', '--limit', '0'],
    ['list', '--unknown'],
    ['park', '42'],
    ['park', '42', '--reason', '   '],
    ['park', '--reason', 'x'],
    ['park', 'x1', '--reason', 'x'],
    ['park', '-3', '--reason', 'x'],
    ['park', '1', '2', '--reason', 'x'],
    ['unpark'],
    ['unpark', '1.5'],
    ['unpark', '1', '--reason', 'x'],
  ]) {
    assert.throws(() => parseOutboxCommand(args), UsageError, JSON.stringify(args));
  }
});
