// The logger as a service uses it: JSON lines on stdout, buffered, and nothing lost at exit.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

async function linesOf(script: string): Promise<Record<string, unknown>[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', '--input-type=module', '-e', script], { timeout: 20_000 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('JSON lines with level, ISO time, service and message; buffered lines are written at exit', async () => {
  const lines = await linesOf(`
    import { createLogger } from ${JSON.stringify(entry)};
    const log = createLogger('svc', { level: 'info' });
    for (let i = 0; i < 3; i++) log.info({ i }, 'hello');
    log.debug('hidden');
    process.exit(0); // before any 250 ms flush: the exit handler must write the buffer
  `);
  assert.equal(lines.length, 3);
  for (const [i, line] of lines.entries()) {
    assert.equal(line['level'], 30);
    assert.equal(line['service'], 'svc');
    assert.equal(line['msg'], 'hello');
    assert.equal(line['i'], i);
    assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
});

test('a quiet service still gets its lines out within the flush interval', async () => {
  const lines = await linesOf(`
    import { createLogger } from ${JSON.stringify(entry)};
    import { writeSync } from 'node:fs';
    const log = createLogger('svc');
    log.info('one line, far below the 4 KiB block');
    setTimeout(() => { writeSync(1, JSON.stringify({ marker: true }) + '\\n'); process.exit(0); }, 600);
  `);
  // The log line must come before the marker: it was flushed by the timer, not at exit.
  assert.deepEqual(
    lines.map((l) => l['msg'] ?? 'marker'),
    ['one line, far below the 4 KiB block', 'marker'],
  );
});

test('secrets under req.headers are redacted', async () => {
  const [line] = await linesOf(`
    import { createLogger } from ${JSON.stringify(entry)};
    createLogger('svc').info({ req: { headers: { authorization: 'Bearer x', cookie: 'a=b', accept: '*/*' } } }, 'r');
    process.exit(0);
  `);
  assert.deepEqual((line!['req'] as { headers: unknown }).headers, { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' });
});
