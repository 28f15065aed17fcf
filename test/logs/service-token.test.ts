import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { testPassword, testServiceToken } from '../helpers/auth.js';
import { at, cri, startStack } from '../helpers/logs.js';
import { runScript } from '../helpers/processes.js';
import { startPair } from '../helpers/start-pair.js';

test('logs-app whose LOGS_SERVICE_TOKEN auth-app refuses answers 503, reads nothing, and logs why', async (t) => {
  const stack = await startStack({ LOGS_SERVICE_TOKEN: 'w'.repeat(40) });
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'secret line')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  const response = await stack.request('/logs/app', { token });
  t.is(response.status, 503);
  t.false(response.text.includes('secret line'));
  t.true(stack.logLines.some((line) => line.includes('refused the service token')));
  t.true(stack.auth.logLines.some((line) => line.includes('"service call refused"')));
});

test('LOGS_SERVICE_TOKEN_FILE names a file holding the token; without either logs-app exits 2 naming them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-service-token-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'token'), `${testServiceToken}\n`);
  const stack = await startStack({ LOGS_SERVICE_TOKEN: undefined, LOGS_SERVICE_TOKEN_FILE: join(dir, 'token') });
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  t.is((await stack.request('/logs/app', { token })).status, 200);
  const without = await runScript('logs-app/main.ts', [], { LOGS_PORT: '0', LOGS_DIR: dir });
  t.is(without.code, 2);
  t.regex(without.stderr, /LOGS_SERVICE_TOKEN: required/);
  const short = await runScript('logs-app/main.ts', [], { LOGS_PORT: '0', LOGS_SERVICE_TOKEN: 'short' });
  t.is(short.code, 2);
  t.regex(short.stderr, /LOGS_SERVICE_TOKEN: at least 32/);
});

test('npm start gives the pair it starts one random service token, which no one else holds', async (t) => {
  const pair = await startPair(['logs:read']);
  t.teardown(() => pair.cleanUp());
  const { authUrl, logsUrl } = pair;
  mkdirSync(join(pair.podsDir, 'default_app_uid', 'main'), { recursive: true });
  writeFileSync(join(pair.podsDir, 'default_app_uid', 'main', '0.log'), `${cri(at(0), 'hello')}\n`);
  const login = await fetch(`${authUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: testPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  t.is((await fetch(`${logsUrl}/logs/app`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  const guessed = await fetch(`${authUrl}/auth/validate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-service-token': testServiceToken },
  });
  t.is(guessed.status, 401);
  t.is(await pair.stop(), 0);
});
