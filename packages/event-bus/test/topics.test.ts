import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventTopic } from '@cinemaabyss/api';
import { ALL_TOPICS } from '../src/types.ts';

test("the events API's topic enum is the bus's topic list", () => {
  assert.deepEqual([...(EventTopic as unknown as { enum: string[] }).enum].sort(), [...ALL_TOPICS].sort());
});
