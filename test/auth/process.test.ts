import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { finished, runScript, spawnScript, waitForLine } from '../helpers/processes.js';

test('a bad configuration value exits 2 naming the variable', async (t) => {
  const result = await runScript('auth-app/main.ts', [], { AUTH_PORT: 'eighty', AUTH_SESSION_IDLE_TIMEOUT: '-5' });
  t.is(result.code, 2);
  t.regex(result.stderr, /AUTH_PORT/);
  t.regex(result.stderr, /AUTH_SESSION_IDLE_TIMEOUT/);
});

test('the service starts on its defaults, creates its database directory and stops cleanly on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-process-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawnScript('auth-app/main.ts', [], {
    AUTH_PORT: '0',
    AUTH_DATABASE_URL: `sqlite:${join(dir, 'nested', 'auth.db')}`,
  });
  const line = await waitForLine(child, /auth-app listening/);
  const { url } = JSON.parse(line) as { url: string };
  t.is((await fetch(`${url}/readyz`)).status, 200);
  child.kill('SIGTERM');
  const result = await finished(child);
  t.is(result.code, 0);
});
