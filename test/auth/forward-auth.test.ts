import test from 'ava';
import { startAuth, type TestAuth } from '../helpers/auth.js';
import { signedInUser } from '../helpers/pages.js';

const app = 'https://tool.example.test';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_REDIRECT_ORIGINS: app });
});
test.after.always(() => auth.stop());

const cookie = (token: string) => ({ cookie: `pod-logs-session=${token}` });
const forwarded = (uri: string, host = 'tool.example.test') => ({
  'x-forwarded-proto': 'https',
  'x-forwarded-host': host,
  'x-forwarded-uri': uri,
  'x-forwarded-method': 'GET',
});

test('a live session by cookie or Bearer: 200 with who it is, never its token', async (t) => {
  const { token, username } = await signedInUser(auth, ['logs:read:team-a', 'logs:read:team-b']);
  const [sessionId, secret] = token.split('.') as [string, string];
  for (const sent of [{ headers: cookie(token) }, { token }]) {
    const answer = await auth.request('/auth/forward', sent);
    t.is(answer.status, 200);
    t.is(answer.headers.get('remote-user'), username);
    t.is(answer.headers.get('remote-permissions'), 'logs:read:team-a,logs:read:team-b');
    t.is(answer.headers.get('remote-session'), sessionId);
    t.is(answer.text, '');
    t.false([...answer.headers.values()].some((value) => value.includes(secret)));
  }
  const head = await auth.request('/auth/forward', { method: 'HEAD', headers: cookie(token) });
  t.is(head.status, 200);
  t.is(head.headers.get('remote-user'), username);
});

test('?permission= is checked as validate does: held 200, missing 403', async (t) => {
  const { token } = await signedInUser(auth, ['logs:read:team-a']);
  t.is((await auth.request('/auth/forward?permission=logs:read:team-a', { headers: cookie(token) })).status, 200);
  const refused = await auth.request('/auth/forward?permission=logs:read:team-b', { headers: cookie(token) });
  t.is(refused.status, 403);
  t.regex(refused.headers.get('www-authenticate') ?? '', /insufficient_scope/);
  t.is(refused.contentType, 'application/problem+json', 'to nginx, which answers the browser itself');
  const throughTraefik = await auth.request('/auth/forward?permission=logs:read:team-b', {
    headers: {
      ...cookie(token),
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.test',
      'x-forwarded-uri': '/x',
    },
  });
  t.is(throughTraefik.status, 403);
  t.is(throughTraefik.contentType, 'text/html', 'Traefik hands it to the browser as it is: a page');
  t.regex(throughTraefik.text, /does not hold/);
  t.is((await auth.request('/auth/forward?permission=Not-One', { headers: cookie(token) })).status, 400);
});

test('without a session: 401, or with X-Forwarded-* on an allowed origin 302 to sign in with rd', async (t) => {
  const bare = await auth.request('/auth/forward');
  t.is(bare.status, 401);
  t.regex(bare.headers.get('www-authenticate') ?? '', /^Bearer realm="pod-logs"/);
  const stale = await auth.request('/auth/forward', { headers: cookie('AAAAAAAAAAAAAAAAAAAAAA.' + 'B'.repeat(43)) });
  t.is(stale.status, 401);
  const toSignIn = await auth.request('/auth/forward', { redirect: 'manual', headers: forwarded('/reports?q=1') });
  t.is(toSignIn.status, 302);
  t.is(toSignIn.headers.get('location'), `${auth.url}/login?rd=${encodeURIComponent(`${app}/reports?q=1`)}`);
  for (const host of ['evil.example', 'tool.example.test@evil.example', 'evil.example/tool.example.test']) {
    const elsewhere = await auth.request('/auth/forward', { redirect: 'manual', headers: forwarded('/x', host) });
    t.is(elsewhere.status, 401, host);
  }
});

test("for nginx's X-Original-URL: 401 with the sign-in page in Location, rd percent-encoded when allowed", async (t) => {
  const original = `${app}/search?q=a+b&page=2`;
  const answer = await auth.request('/auth/forward', { headers: { 'x-original-url': original } });
  t.is(answer.status, 401);
  t.is(answer.headers.get('location'), `${auth.url}/login?rd=${encodeURIComponent(original)}`);
  const elsewhere = await auth.request('/auth/forward', { headers: { 'x-original-url': 'https://evil.example/' } });
  t.is(elsewhere.status, 401);
  t.is(elsewhere.headers.get('location'), `${auth.url}/login`, 'signed in, nobody is sent on there');
});

test('forward auth is a use of the session: it moves the idle expiry', async (t) => {
  const idle = await startAuth({ AUTH_SESSION_IDLE_TIMEOUT: '600' });
  t.teardown(() => idle.stop());
  const { token } = await signedInUser(idle);
  const forward = () => idle.request('/auth/forward', { headers: cookie(token) }).then((answer) => answer.status);
  const idleExpiry = async () =>
    ((await idle.request('/auth/session', { token })).json as { idleExpiresAt: string }).idleExpiresAt;
  const before = await idleExpiry();
  idle.clock.advance(300);
  t.is(await forward(), 200);
  idle.clock.advance(400);
  t.is(await forward(), 200, 'its use 400 s ago kept it');
  t.is(Date.parse(await idleExpiry()) - Date.parse(before), 700_000);
  idle.clock.advance(601);
  t.is(await forward(), 401, 'an idle session has ended');
});
