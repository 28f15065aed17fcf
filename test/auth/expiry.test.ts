import test from 'ava';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.beforeEach(async () => {
  auth = await startAuth({
    AUTH_SESSION_IDLE_TIMEOUT: '600',
    AUTH_SESSION_MAX_AGE: '3600',
    AUTH_SESSION_TOUCH_INTERVAL: '60',
  });
  await auth.addUser('alice', testPassword);
});
test.afterEach.always(() => auth.stop());

const validate = (token: string) => auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token });

test.serial('a session idle for the idle timeout is refused', async (t) => {
  const token = await auth.login('alice', testPassword);
  auth.clock.advance(599);
  t.is((await validate(token)).status, 200);
  auth.clock.advance(599);
  t.is((await validate(token)).status, 200, 'the previous call slid the idle expiry');
  auth.clock.advance(600);
  const response = await validate(token);
  t.is(response.status, 401);
  t.regex(response.headers.get('www-authenticate') ?? '', /invalid_token/);
});

test.serial('a batch check slides the idle expiry as /auth/validate does, and refuses an idle session', async (t) => {
  const token = await auth.login('alice', testPassword);
  const check = async () => {
    const response = await auth.request('/auth/validate/batch', {
      method: 'POST',
      headers: serviceHeaders,
      json: { checks: [{ token }] },
    });
    return (response.json as { results: Array<{ verdict: string }> }).results[0]?.verdict;
  };
  auth.clock.advance(599);
  t.is(await check(), 'allowed');
  auth.clock.advance(599);
  t.is(await check(), 'allowed', 'the previous check slid the idle expiry');
  auth.clock.advance(600);
  t.is(await check(), 'invalid_token');
});

test.serial('an active session still ends at its absolute lifetime', async (t) => {
  const token = await auth.login('alice', testPassword);
  for (let elapsed = 0; elapsed < 3500; elapsed += 500) {
    auth.clock.advance(500);
    t.is((await validate(token)).status, 200);
  }
  auth.clock.advance(100);
  t.is((await validate(token)).status, 401);
});

test.serial('lastSeen is written at most once per touch interval', async (t) => {
  const token = await auth.login('alice', testPassword);
  const sessionId = token.split('.')[0]!;
  const loginAt = auth.clock.now();
  auth.clock.advance(30);
  await validate(token);
  t.is((await auth.service.store.findSession(sessionId))!.lastSeenAt, loginAt);
  auth.clock.advance(31);
  await validate(token);
  t.is((await auth.service.store.findSession(sessionId))!.lastSeenAt, auth.clock.now());
});

test.serial('expired sessions are purged from the store', async (t) => {
  const token = await auth.login('alice', testPassword);
  const sessionId = token.split('.')[0]!;
  auth.clock.advance(601);
  t.is(await auth.service.store.purgeSessions(auth.clock.now(), auth.clock.now() - 600_000), 1);
  t.is(await auth.service.store.findSession(sessionId), undefined);
});
