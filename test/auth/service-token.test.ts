import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { serviceHeaders, startAuth, testPassword, testServiceToken, type TestAuth } from '../helpers/auth.js';
import { runScript } from '../helpers/processes.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_SESSION_TOUCH_INTERVAL: '60' });
  await auth.addUser('alice', testPassword, ['logs:read']);
});
test.after.always(() => auth.stop());

/** Both validation endpoints, asked about one token with the given headers. */
const askBoth = (service: TestAuth, token: string, headers: Record<string, string>) =>
  Promise.all([
    service.request('/auth/validate', { method: 'POST', token, headers }),
    service.request('/auth/validate/batch', { method: 'POST', headers, json: { checks: [{ token }] } }),
  ]);

const problemType = (json: unknown) => (json as { type: string }).type;

test('a caller without the service token learns nothing, extends nothing, and is logged and counted', async (t) => {
  const token = await auth.login('alice', testPassword);
  const loginAt = auth.clock.now();
  auth.clock.advance(120);
  const offered: Array<Record<string, string>> = [
    {},
    { 'x-service-token': 'wrong' },
    { 'x-service-token': `${testServiceToken}x` },
  ];
  for (const headers of offered) {
    for (const response of await askBoth(auth, token, headers)) {
      t.is(response.status, 401);
      t.regex(problemType(response.json), /service-token-required$/);
      t.is(response.headers.get('www-authenticate'), 'X-Service-Token realm="pod-logs"');
      t.false(response.text.includes('alice'));
    }
  }
  const session = await auth.service.store.findSession(token.split('.')[0]!);
  t.is(session?.lastSeenAt, loginAt, 'no refused call extended the idle time');
  const refused = auth.logLines
    .map((line) => JSON.parse(line) as { msg: string; reason?: string; refusedServiceCalls?: number })
    .filter((entry) => entry.msg === 'service call refused');
  t.deepEqual(
    refused.map((entry) => entry.refusedServiceCalls),
    [1, 2, 3, 4, 5, 6],
  );
  t.deepEqual([...new Set(refused.map((entry) => entry.reason))].sort(), ['missing', 'wrong']);
  t.false(auth.logLines.join('\n').includes(testServiceToken), 'the secret is never logged');
  const [single, batch] = await askBoth(auth, token, serviceHeaders);
  t.is(single?.status, 200);
  t.is((batch?.json as { results: Array<{ verdict: string }> }).results[0]?.verdict, 'allowed');
});

test('the service token is checked before anything else: a malformed request without it learns of the token, not of the body', async (t) => {
  const own = await startAuth();
  t.teardown(() => own.stop());
  for (const json of [{ checks: [] }, { nonsense: true }, 'not even an object']) {
    const response = await own.request('/auth/validate/batch', { method: 'POST', json });
    t.is(response.status, 401, JSON.stringify(json));
    t.regex(problemType(response.json), /service-token-required$/);
  }
  const unknownParameter = await own.request('/auth/validate?x=1', { method: 'POST' });
  t.is(unknownParameter.status, 401);
});

test('without a service token auth-app warns at start and its validation endpoints refuse every call, saying what to set', async (t) => {
  const bare = await startAuth({ AUTH_SERVICE_TOKEN: undefined });
  t.teardown(() => bare.stop());
  t.true(bare.logLines.some((line) => line.includes('"level":40') && line.includes('AUTH_SERVICE_TOKEN')));
  for (const response of await askBoth(bare, 'any', serviceHeaders)) {
    t.is(response.status, 401);
    t.regex((response.json as { detail: string }).detail, /set AUTH_SERVICE_TOKEN .*LOGS_SERVICE_TOKEN/);
  }
});

test('AUTH_SERVICE_TOKEN_FILE names a file holding the token (a Kubernetes secret); its final newline is not part of it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'service-token-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'token');
  writeFileSync(file, `${testServiceToken}\n`);
  const fromFile = await startAuth({ AUTH_SERVICE_TOKEN: undefined, AUTH_SERVICE_TOKEN_FILE: file });
  t.teardown(() => fromFile.stop());
  const [, answered] = await askBoth(fromFile, 'any', serviceHeaders);
  t.is(answered?.status, 200);
  const [, refused] = await askBoth(fromFile, 'any', { 'x-service-token': 'w'.repeat(40) });
  t.is(refused?.status, 401);
});

test('a service token under 32 characters, an unreadable token file or both variables: exit 2 naming the variable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'service-token-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = { AUTH_PORT: '0', AUTH_DATABASE_URL: `sqlite:${join(dir, 'auth.db')}` };
  for (const [env, named] of [
    [{ AUTH_SERVICE_TOKEN: 'a'.repeat(31) }, /AUTH_SERVICE_TOKEN: at least 32/],
    [{ AUTH_SERVICE_TOKEN: `${'a'.repeat(31)} b` }, /AUTH_SERVICE_TOKEN: at least 32/],
    [{ AUTH_SERVICE_TOKEN_FILE: join(dir, 'missing') }, /AUTH_SERVICE_TOKEN_FILE: cannot read .*ENOENT/],
    [{ AUTH_SERVICE_TOKEN: testServiceToken, AUTH_SERVICE_TOKEN_FILE: join(dir, 'x') }, /AUTH_SERVICE_TOKEN: set/],
  ] as const) {
    const result = await runScript('auth-app/main.ts', [], { ...base, ...env });
    t.is(result.code, 2);
    t.regex(result.stderr, named);
  }
});
