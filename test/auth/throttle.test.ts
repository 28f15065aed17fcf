import test from 'ava';
import { startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_TRUST_PROXY: 'true', AUTH_LOGIN_MAX_FAILURES: '3', AUTH_LOGIN_WINDOW: '600' });
  await auth.addUser('victim', testPassword);
  await auth.addUser('other', testPassword);
});
test.after.always(() => auth.stop());

const attempt = (username: string, password: string, address: string) =>
  auth.request('/auth/login', {
    method: 'POST',
    json: { username, password },
    headers: { 'x-forwarded-for': address },
  });

test.serial('failures past the limit get 429 with Retry-After, even with the right password', async (t) => {
  for (let index = 0; index < 3; index += 1) t.is((await attempt('victim', 'wrong password!', '10.0.0.1')).status, 401);
  const refused = await attempt('victim', testPassword, '10.0.0.1');
  t.is(refused.status, 429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  t.true(retryAfter > 0 && retryAfter <= 600);
  t.true(auth.logLines.some((line) => line.includes('"outcome":"throttled"')));
});

test.serial('the same user from another address still logs in', async (t) => {
  t.is((await attempt('victim', testPassword, '10.0.0.2')).status, 200);
});

test.serial('another user from the blocked address still logs in', async (t) => {
  t.is((await attempt('other', testPassword, '10.0.0.1')).status, 200);
});

test.serial('the block lifts when the window has passed', async (t) => {
  auth.clock.advance(601);
  t.is((await attempt('victim', testPassword, '10.0.0.1')).status, 200);
});

test.serial('a success clears the failures counted so far', async (t) => {
  for (let index = 0; index < 2; index += 1) await attempt('victim', 'wrong password!', '10.0.0.3');
  t.is((await attempt('victim', testPassword, '10.0.0.3')).status, 200);
  for (let index = 0; index < 2; index += 1) await attempt('victim', 'wrong password!', '10.0.0.3');
  t.is((await attempt('victim', testPassword, '10.0.0.3')).status, 200);
});

test.serial('unknown usernames are counted too, so 429 reveals nothing about existence', async (t) => {
  for (let index = 0; index < 3; index += 1) await attempt('ghost', 'wrong password!', '10.0.0.4');
  t.is((await attempt('ghost', 'wrong password!', '10.0.0.4')).status, 429);
});
