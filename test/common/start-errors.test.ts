import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { testServiceToken } from '../helpers/auth.js';
import { startStack } from '../helpers/logs.js';
import { runScript } from '../helpers/processes.js';

async function takenPort(): Promise<{ port: number; close(): void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

test('a port already taken: one line naming the address and the variable that moves it, exit 1, no stack', async (t) => {
  const taken = await takenPort();
  t.teardown(() => taken.close());
  const dir = mkdtempSync(join(tmpdir(), 'start-errors-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const auth = await runScript('auth-app/main.ts', [], {
    AUTH_PORT: String(taken.port),
    AUTH_DATABASE_URL: `sqlite:${join(dir, 'auth.db')}`,
    AUTH_SERVICE_TOKEN: testServiceToken,
  });
  const logs = await runScript('logs-app/main.ts', [], {
    LOGS_PORT: String(taken.port),
    LOGS_DIR: dir,
    LOGS_SERVICE_TOKEN: testServiceToken,
  });
  for (const [result, name, variable] of [
    [auth, 'auth-app', 'AUTH_PORT'],
    [logs, 'logs-app', 'LOGS_PORT'],
  ] as const) {
    t.is(result.code, 1, name);
    t.is(
      result.stderr.trim(),
      `${name} cannot listen on 127.0.0.1:${taken.port}: the address is in use (is it already running?); set ${variable} (or ${variable.replace('PORT', 'HOST')})`,
    );
  }
});

test("auth-app out of reach: logs-app's warning says where it looked and why (ECONNREFUSED), not just 'Error'", async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const token = await stack.tokenFor('reader', ['logs:read']);
  const authUrl = stack.auth.url;
  await stack.auth.service.stop();
  t.is((await stack.request('/logs/app', { token })).status, 503);
  const warning = stack.logLines.find((line) => line.includes('session check failed closed'));
  t.regex(warning ?? '', new RegExp(`auth-app at ${authUrl} is unavailable: .*ECONNREFUSED`));
});

test('a log directory missing at start is one warning with its reason, no stack trace', async (t) => {
  const stack = await startStack({ LOGS_DIR: '/nonexistent-pods-at-start' });
  t.teardown(() => stack.stop());
  const warning = stack.logLines.find((line) => line.includes('the log source is not usable yet'));
  t.truthy(warning);
  t.regex(warning ?? '', /ENOENT.*nonexistent-pods-at-start/);
  t.false((warning ?? '').includes('"stack"'));
});
