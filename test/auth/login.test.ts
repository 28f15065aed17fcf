import test from 'ava';
import { startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth();
  await auth.addUser('Alice', testPassword, ['logs:read:team-a']);
  await auth.addUser('dora', testPassword);
  const dora = await auth.service.store.findUser('dora');
  await auth.service.store.setDisabled(dora!.id, true);
});
test.after.always(() => auth.stop());

test('login returns a Bearer token, its expiry and the session, never cached', async (t) => {
  const response = await auth.request('/auth/login', {
    method: 'POST',
    json: { username: 'alice', password: testPassword },
  });
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  const body = response.json as {
    token: string;
    tokenType: string;
    expiresAt: string;
    session: { username: string; permissions: string[] };
  };
  t.is(body.tokenType, 'Bearer');
  t.regex(body.token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  t.is(body.session.username, 'Alice', 'usernames are case-insensitive, the stored spelling is returned');
  t.deepEqual(body.session.permissions, ['logs:read:team-a']);
  t.is(Date.parse(body.expiresAt) - auth.clock.now(), 43_200_000);
});

test('every login makes a new token', async (t) => {
  const first = await auth.login('alice', testPassword);
  const second = await auth.login('alice', testPassword);
  t.not(first, second);
});

test('wrong password, unknown user and disabled user get the same 401 body', async (t) => {
  const attempts = [
    { username: 'alice', password: 'not the password' },
    { username: 'nobody', password: testPassword },
    { username: 'dora', password: testPassword },
  ];
  const bodies = [];
  for (const attempt of attempts) {
    const response = await auth.request('/auth/login', { method: 'POST', json: attempt });
    t.is(response.status, 401);
    t.is(response.contentType, 'application/problem+json');
    const { instance, ...rest } = response.json as Record<string, unknown>;
    t.is(instance, '/auth/login');
    bodies.push(rest);
  }
  t.deepEqual(bodies[0], bodies[1]);
  t.deepEqual(bodies[1], bodies[2]);
});

test('every login attempt is logged with user, address and outcome, never the password', async (t) => {
  await auth.request('/auth/login', { method: 'POST', json: { username: 'alice', password: 'secret-wrong-guess' } });
  await auth.login('alice', testPassword);
  const attempts = auth.logLines
    .filter((line) => line.includes('"login attempt"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  t.true(
    attempts.some(
      (entry) => entry.outcome === 'failure' && entry.username === 'alice' && entry.clientAddress === '127.0.0.1',
    ),
  );
  t.true(attempts.some((entry) => entry.outcome === 'success'));
  t.false(auth.logLines.join('\n').includes('secret-wrong-guess'));
  t.false(auth.logLines.join('\n').includes(testPassword));
});

test('a hash made with weaker parameters is replaced at the next login', async (t) => {
  const { hash } = await import('@node-rs/argon2');
  const weak = await hash(testPassword, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
  await auth.addUser('weak', testPassword);
  const user = await auth.service.store.findUser('weak');
  await auth.service.store.setPasswordHash(user!.id, weak, { endSessions: false });
  await auth.login('weak', testPassword);
  const after = await auth.service.store.findUser('weak');
  t.not(after!.passwordHash, weak);
  t.true(after!.passwordHash!.includes('$m=19456,t=2,p=1$'));
  t.truthy(await auth.login('weak', testPassword));
});
