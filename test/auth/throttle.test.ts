import test from 'ava';
import { startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_TRUST_PROXY: 'true', AUTH_LOGIN_MAX_FAILURES: '3', AUTH_LOGIN_WINDOW: '600' });
  await auth.addUser('victim', testPassword);
  await auth.addUser('other', testPassword);
  await auth.addUser('proxied', testPassword);
});
test.after.always(() => auth.stop());

const loginFrom = (service: TestAuth, username: string, password: string, address: string) =>
  service.request('/auth/login', {
    method: 'POST',
    json: { username, password },
    headers: { 'x-forwarded-for': address },
  });
const attempt = (username: string, password: string, address: string) => loginFrom(auth, username, password, address);

test.serial('failures past the limit get 429 with Retry-After, even with the right password', async (t) => {
  for (let index = 0; index < 3; index += 1) t.is((await attempt('victim', 'wrong password!', '10.0.0.1')).status, 401);
  const refused = await attempt('victim', testPassword, '10.0.0.1');
  t.is(refused.status, 429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  t.true(retryAfter > 0 && retryAfter <= 600);
  t.true(auth.logLines.some((line) => line.includes('"outcome":"throttled"')));
});

test.serial('addresses a client puts before the one the proxy appended change nothing', async (t) => {
  for (let index = 0; index < 3; index += 1) {
    t.is((await attempt('proxied', 'wrong password!', `192.0.2.${index}, 10.0.0.5`)).status, 401);
  }
  t.is((await attempt('proxied', testPassword, '198.51.100.7, 10.0.0.5')).status, 429);
  const recorded = auth.logLines.filter((line) => line.includes('"outcome":"throttled"')).at(-1) ?? '';
  t.regex(recorded, /10\.0\.0\.5/);
  t.notRegex(recorded, /198\.51\.100\.7/);
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

test('past the account limit, spread over many addresses, only addresses holding a session may try', async (t) => {
  const spread = await startAuth({
    AUTH_TRUST_PROXY: 'true',
    AUTH_LOGIN_MAX_FAILURES: '3',
    AUTH_LOGIN_ACCOUNT_MAX_FAILURES: '4',
    AUTH_LOGIN_ACCOUNT_WINDOW: '3600',
  });
  t.teardown(() => spread.stop());
  await spread.addUser('target', testPassword);
  await spread.addUser('bystander', testPassword);
  const from = (username: string, password: string, address: string) => loginFrom(spread, username, password, address);
  t.is((await from('target', testPassword, '10.9.0.1')).status, 200, 'the owner holds a session from 10.9.0.1');
  for (let index = 1; index <= 4; index += 1) {
    t.is((await from('target', 'wrong password!', `10.8.0.${index}`)).status, 401);
  }
  const refused = await from('target', testPassword, '10.8.0.99');
  t.is(refused.status, 429, 'a new address is refused even with the right password');
  const retryAfter = Number(refused.headers.get('retry-after'));
  t.true(retryAfter > 3500 && retryAfter <= 3600);
  t.true(spread.logLines.some((line) => line.includes('"scope":"account"')));
  t.is(
    (await from('target', testPassword, '10.9.0.1')).status,
    200,
    'the owner still logs in where it holds a session',
  );
  t.is((await from('bystander', testPassword, '10.8.0.99')).status, 200, 'other users are not affected');
  spread.clock.advance(3601);
  t.is((await from('target', testPassword, '10.8.0.99')).status, 200, 'the block lifts after the account window');
});

test('one address alone never reaches the account limit, whatever its own limit allows', async (t) => {
  const generous = await startAuth({
    AUTH_TRUST_PROXY: 'true',
    AUTH_LOGIN_MAX_FAILURES: '10',
    AUTH_LOGIN_ACCOUNT_MAX_FAILURES: '4',
  });
  t.teardown(() => generous.stop());
  await generous.addUser('target', testPassword);
  for (let index = 0; index < 10; index += 1) {
    t.is((await loginFrom(generous, 'target', 'wrong password!', '10.7.0.1')).status, 401);
  }
  t.is((await loginFrom(generous, 'target', 'wrong password!', '10.7.0.1')).status, 429);
  t.is((await loginFrom(generous, 'target', testPassword, '10.7.0.2')).status, 200, 'the owner, from a new address');
  t.false(generous.logLines.some((line) => line.includes('"scope":"account"')));
});
