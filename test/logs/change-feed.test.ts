import { hash, randomBytes, randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import type { Store } from '../../auth-app/store/store.js';
import { testPassword } from '../helpers/auth.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';
import { followLog } from '../helpers/streams.js';

/** Followed logs are asked about every 5 s unless a change says otherwise: a follow ending sooner is the feed's doing. */
let stack: TestStack;
let store: Store;
test.before(async () => {
  stack = await startStack({ LOGS_FOLLOW_RECHECK_MS: '5000' });
  store = stack.auth.service.store;
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'default line')]);
  stack.writeLog('team-a', 'app', 'main', '0.log', [cri(at(0), 'team-a line')]);
});
test.after.always(() => stack.stop());

const validations = () => stack.auth.logLines.filter((line) => line.includes('"/auth/validate/batch"')).length;

interface Reader {
  token: string;
  userId: string;
  sessionId: string;
}

let readers = 0;
async function reader(permissions = ['logs:read:default']): Promise<Reader> {
  readers += 1;
  const name = `reader${readers}`;
  await stack.auth.addUser(name, testPassword, permissions);
  const token = await stack.auth.login(name, testPassword);
  return { token, userId: (await store.findUser(name))!.id, sessionId: token.split('.')[0]! };
}

/** Asks twice: the second is answered from the kept verdict, without a call to auth-app. */
async function warm(t: ExecutionContext, token: string, path = '/logs/app'): Promise<void> {
  t.is((await stack.request(path, { token })).status, 200);
  const before = validations();
  t.is((await stack.request(path, { token })).status, 200);
  t.is(validations(), before, 'the warm path asked auth-app');
}

const changes: Array<[string, (reader: Reader) => Promise<unknown>, number]> = [
  ['a revoked permission', (r) => store.setPermissions(r.userId, ['logs:read:team-a']), 403],
  ['a logout', (r) => stack.auth.request('/auth/logout', { method: 'POST', token: r.token }), 401],
  ['a disabled user', (r) => store.setDisabled(r.userId, true), 401],
  ['a password change', async (r) => store.setPasswordHash(r.userId, 'a-new-hash', { endSessions: true }), 401],
  [
    'a session ended by its user from another',
    async (r) => {
      const other = await stack.auth.login(`reader${readers}`, testPassword);
      return stack.auth.request(`/auth/sessions/${r.sessionId}`, { method: 'DELETE', token: other });
    },
    401,
  ],
  ['sign out everywhere', (r) => stack.auth.request('/auth/sessions', { method: 'DELETE', token: r.token }), 401],
  ['sessions ended by an admin', (r) => store.deleteUserSessions(r.userId), 401],
];

for (const [what, change, status] of changes) {
  test.serial(`${what} is refused on the very next request, on a warm path`, async (t) => {
    const subject = await reader(['logs:read:default', 'logs:read:team-a']);
    await warm(t, subject.token);
    await change(subject);
    t.is((await stack.request('/logs/app', { token: subject.token })).status, status);
  });

  test.serial(`${what} ends a followed log within a second`, async (t) => {
    const subject = await reader(['logs:read:default', 'logs:read:team-a']);
    const stream = await followLog(stack.logs.url, '/logs/app?follow=true', subject.token, 'default line');
    t.teardown(() => stream.close());
    const changed = performance.now();
    await change(subject);
    t.true(await stream.end(1000), 'the follow went on');
    const tookMs = performance.now() - changed;
    t.true(tookMs < 1000);
    t.log(`ended ${Math.round(tookMs)} ms after the change`);
  });
}

test.serial('a grant that still allows: the next request and a followed log go on, asked again once', async (t) => {
  const subject = await reader();
  const path = stack.writeLog('default', 'granted', 'main', '0.log', [cri(at(0), 'before the grant')]);
  const stream = await followLog(stack.logs.url, '/logs/granted?follow=true', subject.token, 'before the grant');
  t.teardown(() => stream.close());
  await warm(t, subject.token);
  const before = validations();
  await store.setPermissions(subject.userId, ['logs:read:default', 'logs:read:team-b']);
  t.is((await stack.request('/logs/app', { token: subject.token })).status, 200);
  t.true(validations() > before, 'the kept verdict was not forgotten');
  stack.appendLog(path, [cri(at(1), 'after the grant')]);
  await stream.until((text) => text.includes('after the grant'));
  t.false(await stream.end(300), 'the follow ended');
});

test.serial('a change to another session or user forgets nothing of this one', async (t) => {
  const subject = await reader();
  const other = await reader();
  await warm(t, subject.token);
  await stack.auth.request('/auth/logout', { method: 'POST', token: other.token });
  await store.setPermissions(other.userId, []);
  const before = validations();
  t.is((await stack.request('/logs/app', { token: subject.token })).status, 200);
  t.is(validations(), before);
});

/** A user of an identity provider has no password: its session is made as the provider's sign-in makes one. */
async function providerReader(permissions: string[]): Promise<Reader> {
  const userId = randomUUID();
  const identity = { issuer: 'https://idp.example', subject: randomUUID() };
  await store.createUser({ id: userId, username: `oidc-${identity.subject}`, permissions: [], identity, createdAt: 0 });
  await store.setProviderPermissions(userId, permissions);
  const sessionId = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const now = Date.now();
  await store.createSession(
    {
      id: sessionId,
      secretHash: hash('sha256', secret, 'hex'),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3_600_000,
      clientAddress: '10.0.0.1',
      userAgent: 'test',
    },
    50,
  );
  return { token: `${sessionId}.${secret}`, userId, sessionId };
}

test.serial("a provider's groups no longer granting a namespace refuse the very next request", async (t) => {
  const subject = await providerReader(['logs:read:default']);
  await warm(t, subject.token);
  await store.setProviderPermissions(subject.userId, ['logs:read:team-a']);
  t.is((await stack.request('/logs/app', { token: subject.token })).status, 403);
});

test("a session evicted past its user's limit is refused on the very next request", async (t) => {
  const capped = await startStack({}, { AUTH_MAX_SESSIONS_PER_USER: '2' });
  t.teardown(() => capped.stop());
  t.teardown(capped.auth.clock.keepUp());
  capped.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  await capped.auth.addUser('capped', testPassword, ['logs:read']);
  const oldest = await capped.auth.login('capped', testPassword);
  await capped.auth.login('capped', testPassword);
  t.is((await capped.request('/logs/app', { token: oldest })).status, 200);
  t.is((await capped.request('/logs/app', { token: oldest })).status, 200);
  await capped.auth.login('capped', testPassword);
  t.is((await capped.request('/logs/app', { token: oldest })).status, 401);
});

test("a kept verdict is never used past the session's absolute expiry", async (t) => {
  const short = await startStack({}, { AUTH_SESSION_MAX_AGE: '2' });
  t.teardown(() => short.stop());
  t.teardown(short.auth.clock.keepUp());
  short.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await short.tokenFor('brief', ['logs:read']);
  const started = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - started < 4000) {
    status = (await short.request('/logs/app', { token })).status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.is(status, 401);
  t.true(Date.now() - started >= 1900, 'refused before the session expired');
  t.true(Date.now() - started < 2500, 'served past the expiry');
});

test('idle expiry: use through kept verdicts reaches auth-app every half touch interval, so use keeps the session and idleness ends it', async (t) => {
  /** Idle after 2 s; auth-app records a use at most every second (half the idle timeout); verdicts live half that. */
  const idle = await startStack({}, { AUTH_SESSION_IDLE_TIMEOUT: '2' });
  t.teardown(() => idle.stop());
  t.teardown(idle.auth.clock.keepUp());
  idle.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await idle.tokenFor('steady', ['logs:read']);
  const calls = () => idle.auth.logLines.filter((line) => line.includes('"/auth/validate/batch"')).length;
  const before = calls();
  const started = Date.now();
  let requests = 0;
  while (Date.now() - started < 5000) {
    t.is((await idle.request('/logs/app', { token })).status, 200, 'a session in use went idle');
    requests += 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const asked = calls() - before;
  t.true(asked >= 6 && asked <= 14, `auth-app was asked ${asked} times in 5 s`);
  t.true(requests > asked * 2, 'the verdicts were not kept');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  t.is((await idle.request('/logs/app', { token })).status, 401, 'an idle session was kept alive');
});

test.serial("expired sessions purged by auth-app's clock are forgotten, whatever logs-app's clock says", async (t) => {
  const subject = await reader();
  await warm(t, subject.token);
  const { clock } = stack.auth;
  const now = clock.current;
  clock.advance(13 * 3600);
  t.teardown(() => void (clock.current = now));
  await store.purgeSessions(clock.now(), clock.now() - 1_800_000);
  t.is((await stack.request('/logs/app', { token: subject.token })).status, 401);
});
