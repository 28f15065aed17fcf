import test from 'ava';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({
    AUTH_SESSION_IDLE_TIMEOUT: '600',
    AUTH_SESSION_MAX_AGE: '3600',
    AUTH_SESSION_TOUCH_INTERVAL: '60',
  });
  await auth.addUser('alice', testPassword, ['logs:read:team-a']);
  await auth.addUser('root', testPassword, ['logs:read']);
});
test.after.always(() => auth.stop());

const validate = (token: string | undefined, permission?: string, headers: Record<string, string> = {}) =>
  auth.request('/auth/validate', {
    method: 'POST',
    ...(token === undefined ? {} : { token }),
    headers: { ...serviceHeaders, ...headers },
    ...(permission === undefined ? {} : { json: { permission } }),
  });

test('a live token validates with its user, permissions and times', async (t) => {
  const token = await auth.login('alice', testPassword);
  const response = await validate(token);
  t.is(response.status, 200);
  const body = response.json as Record<string, unknown>;
  t.is(body.active, true);
  t.is(body.username, 'alice');
  t.deepEqual(body.permissions, ['logs:read:team-a']);
  t.is(body.sessionId, token.split('.')[0]);
  t.is(Date.parse(body.idleExpiresAt as string) - auth.clock.now(), 600_000);
});

test('no Authorization header: 401 with a Bearer challenge and no error code', async (t) => {
  const response = await validate(undefined);
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), 'Bearer realm="pod-logs"');
});

test('another scheme counts as no credentials', async (t) => {
  const response = await validate(undefined, undefined, { authorization: 'Basic YWxpY2U6cGFzcw==' });
  t.is(response.status, 401);
  t.is(response.headers.get('www-authenticate'), 'Bearer realm="pod-logs"');
});

for (const [name, token] of [
  ['malformed', 'not-a-token'],
  ['unknown', `${'A'.repeat(22)}.${'B'.repeat(43)}`],
  ['very long', 'x'.repeat(8000)],
] as const) {
  test(`a ${name} token: 401 invalid_token`, async (t) => {
    const response = await validate(token);
    t.is(response.status, 401);
    t.is(response.headers.get('www-authenticate'), 'Bearer realm="pod-logs", error="invalid_token"');
  });
}

test('the right session id with a wrong secret is refused', async (t) => {
  const token = await auth.login('alice', testPassword);
  const forged = `${token.split('.')[0]}.${'C'.repeat(43)}`;
  t.is((await validate(forged)).status, 401);
  t.is((await validate(token)).status, 200);
});

test('a held namespace permission is granted, another namespace is 403 insufficient_scope', async (t) => {
  const token = await auth.login('alice', testPassword);
  t.is((await validate(token, 'logs:read:team-a')).status, 200);
  const denied = await validate(token, 'logs:read:team-b');
  t.is(denied.status, 403);
  t.regex(denied.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  t.is((await validate(token, 'logs:read')).status, 403, 'a namespace grant does not grant every namespace');
});

test('logs:read grants every namespace', async (t) => {
  const token = await auth.login('root', testPassword);
  t.is((await validate(token, 'logs:read:anything')).status, 200);
  t.is((await validate(token, 'logs:readx')).status, 403);
});

test('a malformed permission is a 400 naming the field', async (t) => {
  const token = await auth.login('alice', testPassword);
  const response = await validate(token, 'Logs Read');
  t.is(response.status, 400);
  t.is((response.json as { errors: Array<{ name: string }> }).errors[0]?.name, 'body.permission');
});

test('revoking a permission applies to live sessions at once', async (t) => {
  await auth.addUser('carol', testPassword, ['logs:read:team-c']);
  const token = await auth.login('carol', testPassword);
  t.is((await validate(token, 'logs:read:team-c')).status, 200);
  const carol = await auth.service.store.findUser('carol');
  await auth.service.store.setPermissions(carol!.id, []);
  t.is((await validate(token, 'logs:read:team-c')).status, 403);
});

const validateBatch = (checks: unknown) =>
  auth.request('/auth/validate/batch', { method: 'POST', headers: serviceHeaders, json: { checks } });

test('a batch answers each check as /auth/validate would, in the order sent', async (t) => {
  const alice = await auth.login('alice', testPassword);
  const root = await auth.login('root', testPassword);
  const ended = await auth.login('alice', testPassword);
  t.is((await auth.request('/auth/logout', { method: 'POST', token: ended })).status, 204);
  const response = await validateBatch([
    { token: alice, permission: 'logs:read:team-a' },
    { token: alice, permission: 'logs:read:team-b' },
    { token: 'not-a-token' },
    { token: root, permission: 'logs:read:anything' },
    { token: ended },
    { token: `${alice.split('.')[0]}.${'C'.repeat(43)}` },
    { token: alice },
  ]);
  t.is(response.status, 200);
  const { results } = response.json as { results: Array<{ verdict: string; session?: { username: string } }> };
  t.deepEqual(
    results.map((result) => result.verdict),
    ['allowed', 'insufficient_scope', 'invalid_token', 'allowed', 'invalid_token', 'invalid_token', 'allowed'],
  );
  t.is(results[0]?.session?.username, 'alice');
  t.is(results[3]?.session?.username, 'root');
  t.is(response.headers.get('cache-control'), 'no-store');
});

for (const [name, checks, field] of [
  ['no checks', [], 'body.checks'],
  ['33 checks', Array.from({ length: 33 }, () => ({ token: 'x' })), 'body.checks'],
  ['a check without a token', [{ permission: 'logs:read' }], 'body.checks.0.token'],
  ['an unknown field', [{ token: 'x', scope: 'logs:read' }], 'body.checks.0.scope'],
  ['a malformed permission', [{ token: 'x', permission: 'Logs Read' }], 'body.checks.0.permission'],
  ['a token past 128 characters', [{ token: 'x'.repeat(129) }], 'body.checks.0.token'],
] as const) {
  test(`a batch with ${name}: 400 naming ${field}`, async (t) => {
    const response = await validateBatch(checks);
    t.is(response.status, 400);
    t.true((response.json as { errors: Array<{ name: string }> }).errors.some((error) => error.name === field));
  });
}

test('the largest batch the contract allows fits in the body limit', async (t) => {
  const checks = Array.from({ length: 32 }, () => ({
    token: '"\\'.repeat(64),
    permission: `logs:read:${'a'.repeat(118)}`,
  }));
  const response = await validateBatch(checks);
  t.is(response.status, 200);
  t.is((response.json as { results: unknown[] }).results.length, 32);
});

test('a batch with no body is a 400, and one as a form is a 415', async (t) => {
  t.is((await auth.request('/auth/validate/batch', { method: 'POST', headers: serviceHeaders })).status, 400);
  const form = await auth.request('/auth/validate/batch', {
    method: 'POST',
    headers: { ...serviceHeaders, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'checks=x',
  });
  t.is(form.status, 415);
});
