import test from 'ava';
import { startAuth, testPassword, type TestAuth } from '../helpers/auth.js';
import { createTestDatabase } from '../helpers/postgres.js';

const attacker = '203.0.113.9';

const loginFrom = (auth: TestAuth, password: string, address: string) =>
  auth.request('/auth/login', {
    method: 'POST',
    json: { username: 'owner', password },
    headers: { 'x-forwarded-for': address },
  });

/** The outcomes the service logged for the attacker's attempts: a failure went through Argon2, throttled did not. */
function outcomes(auth: TestAuth): { tried: number; throttled: number } {
  const attempts = auth.logLines
    .map((line) => JSON.parse(line) as { msg: string; clientAddress?: string; outcome?: string })
    .filter((entry) => entry.msg === 'login attempt' && entry.clientAddress === attacker);
  return {
    tried: attempts.filter((entry) => entry.outcome === 'failure').length,
    throttled: attempts.filter((entry) => entry.outcome === 'throttled').length,
  };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  test(`${backend}: 200 concurrent wrong passwords from one address: 5 reach Argon2, the owner still logs in from another`, async (t) => {
    const database = backend === 'postgres' ? await createTestDatabase() : undefined;
    /** 200 attempts queue for a pool of 10: on a busy machine the default 1.5 s would answer some with 503. */
    const auth = await startAuth({
      AUTH_TRUST_PROXY: 'true',
      AUTH_DATABASE_TIMEOUT_MS: '20000',
      ...(database && { AUTH_DATABASE_URL: database.url }),
    });
    t.teardown(async () => {
      await auth.stop();
      await database?.drop();
    });
    await auth.addUser('owner', testPassword);
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, index) => loginFrom(auth, `wrong guess ${index}`, attacker)),
    ).then((responses) => responses.map((response) => response.status));
    const { tried, throttled } = outcomes(auth);
    t.deepEqual(
      statuses.filter((status) => status !== 401 && status !== 429),
      [],
      'every attempt was answered',
    );
    t.is(tried, 5, 'the per-address limit holds under concurrency');
    t.is(throttled, 195);
    t.is(statuses.filter((status) => status === 401).length, 5);
    t.is(statuses.filter((status) => status === 429).length, 195);
    t.is((await loginFrom(auth, testPassword, '198.51.100.4')).status, 200, 'no account-wide lockout');
  });
}
