import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipleErrors, NetworkError, ProtocolError, TimeoutError } from '@platformatic/kafka';
import { BusUnavailableError } from '../src/types.ts';
import { backoffMs, publishFailureKind } from '../src/publish-failure.ts';

// What the Kafka adapter throws: its own error, with the client's aggregate (as for a produce request) as the cause.
const fromKafka = (cause: Error) => new BusUnavailableError('Kafka is unavailable', { cause: new MultipleErrors('Producing messages failed.', [cause]) });

test('an unreachable or slow bus is transient: not the record fault', () => {
  assert.equal(publishFailureKind(new BusUnavailableError('embedded bus unavailable')), 'transient');
  assert.equal(publishFailureKind(fromKafka(new NetworkError('Connection closed'))), 'transient');
  assert.equal(publishFailureKind(fromKafka(new TimeoutError('Request timed out'))), 'transient');
  assert.equal(publishFailureKind(fromKafka(new ProtocolError('NOT_LEADER_OR_FOLLOWER'))), 'transient');
  assert.equal(publishFailureKind(fromKafka(new ProtocolError('UNKNOWN_TOPIC_OR_PARTITION'))), 'transient');
});

test('a record the broker refuses for what it is, or that cannot be built, is permanent', () => {
  for (const code of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION', 'INVALID_RECORD', 'CORRUPT_MESSAGE']) {
    assert.equal(publishFailureKind(fromKafka(new ProtocolError(code))), 'permanent', code);
  }
  assert.equal(publishFailureKind(new TypeError('Do not know how to serialize a BigInt')), 'permanent');
  assert.equal(publishFailureKind('not even an error'), 'permanent');
});

test('backoff grows exponentially up to the ceiling, jittered into its upper half', () => {
  for (let failures = 1; failures < 40; failures++) {
    const ceiling = Math.min(100 * 2 ** failures, 10_000);
    for (let i = 0; i < 20; i++) {
      const delay = backoffMs(failures, 10_000);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${failures}: ${delay} within [${ceiling / 2}, ${ceiling}]`);
    }
  }
});
