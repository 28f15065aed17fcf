import test from 'ava';
import { startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({
    AUTH_TRUST_PROXY: 'true',
    AUTH_LOGIN_MAX_FAILURES: '3',
    AUTH_LOGIN_ACCOUNT_MAX_FAILURES: '2',
  });
  for (const name of ['html', 'mapped', 'six', 'known']) await auth.addUser(name, testPassword);
});
test.after.always(() => auth.stop());

const loginFrom = (username: string, password: string, forwardedFor: string) =>
  auth.request('/auth/login', {
    method: 'POST',
    json: { username, password },
    headers: { 'x-forwarded-for': forwardedFor },
  });

const addressesOf = async (token: string) =>
  (
    (await auth.request('/auth/sessions', { token })).json as { sessions: Array<{ clientAddress: string }> }
  ).sessions.map((session) => session.clientAddress);

test('a forwarded address that is not an IP address is refused, and nothing of it is stored, shown or logged', async (t) => {
  const html = `<html><body>${'<p>not an address</p>'.repeat(150)}</body></html>`;
  const refused = await loginFrom('html', testPassword, `10.0.0.1, ${html}`);
  t.is(refused.status, 400);
  t.regex((refused.json as { type: string }).type, /invalid-client-address$/);
  t.regex((refused.json as { detail: string }).detail, /X-Forwarded-For/);
  const token = (await loginFrom('html', testPassword, '10.0.0.1').then((response) => response.json)) as {
    token: string;
  };
  t.deepEqual(await addressesOf(token.token), ['10.0.0.1']);
  t.false(auth.logLines.join('\n').includes('<html>'));
  for (const entry of ['', '10.0.0.1,', '10.0.0.1:443', '[2001:db8::1]', '10.0.0.256', 'unknown']) {
    t.is((await loginFrom('html', testPassword, entry)).status, 400, entry);
  }
});

test('an IPv4-mapped IPv6 address counts and is shown as its IPv4 address; IPv6 in one spelling', async (t) => {
  const mapped = (await loginFrom('mapped', testPassword, '::ffff:192.0.2.5').then((response) => response.json)) as {
    token: string;
  };
  await loginFrom('mapped', testPassword, '2001:0DB8:0000::0001');
  t.deepEqual((await addressesOf(mapped.token)).sort(), ['192.0.2.5', '2001:db8::1']);
});

test('the addresses of one IPv6 /64 share one limit; the next /64 has its own', async (t) => {
  for (const host of ['1', '2', 'ffff:ffff:ffff']) {
    t.is((await loginFrom('six', 'wrong password!', `2001:db8:1:2::${host}`)).status, 401);
  }
  t.is((await loginFrom('six', testPassword, '2001:db8:1:2:aaaa::9')).status, 429);
  t.is((await loginFrom('six', testPassword, '2001:db8:1:3::1')).status, 200);
});

test('past the account limit, any address of the /64 a session came from may still try', async (t) => {
  t.is((await loginFrom('known', testPassword, '2001:db8:7:7::1')).status, 200);
  t.is((await loginFrom('known', 'wrong password!', '198.51.100.1')).status, 401);
  t.is((await loginFrom('known', 'wrong password!', '198.51.100.2')).status, 401);
  t.is((await loginFrom('known', testPassword, '198.51.100.3')).status, 429, 'the account limit holds');
  t.is((await loginFrom('known', testPassword, '2001:db8:7:7::2')).status, 200, 'a new address of a known /64');
});
