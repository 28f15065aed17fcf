import test from 'ava';
import { csrfToken } from '../../common/session-cookie.js';
import { serviceHeaders, startAuth, type TestAuth } from '../helpers/auth.js';
import { signedInUser } from '../helpers/pages.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth();
});
test.after.always(() => auth.stop());

const cookie = (token: string) => ({ cookie: `pod-logs-session=${token}` });

test('the session cookie is taken on /auth/session and /auth/sessions as a Bearer token is', async (t) => {
  const { token, username } = await signedInUser(auth);
  const session = await auth.request('/auth/session', { headers: cookie(token) });
  t.is(session.status, 200);
  t.like(session.json, { username, sessionId: token.split('.')[0] });
  const list = await auth.request('/auth/sessions', { headers: cookie(token) });
  t.is(list.status, 200);
  t.deepEqual(
    (list.json as { sessions: Array<{ current: boolean }> }).sessions.map((each) => each.current),
    [true],
  );
});

test('Bearer wins over the cookie', async (t) => {
  const first = await signedInUser(auth);
  const second = await signedInUser(auth);
  const answer = await auth.request('/auth/session', { token: second.token, headers: cookie(first.token) });
  t.like(answer.json, { username: second.username });
});

test('a cookie sent twice, or one that names no session, is refused with invalid_token', async (t) => {
  const { token } = await signedInUser(auth);
  const other = await signedInUser(auth);
  for (const header of [
    `pod-logs-session=${token}; pod-logs-session=${other.token}`,
    `pod-logs-session=${token}; pod-logs-session=${token}`,
    'pod-logs-session=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
  ]) {
    const answer = await auth.request('/auth/session', { headers: { cookie: header } });
    t.is(answer.status, 401, header);
    t.regex(answer.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
  const none = await auth.request('/auth/session', { headers: { cookie: 'other=1' } });
  t.is(none.status, 401);
  t.regex((none.json as { detail: string }).detail, new RegExp(`or sign in at ${auth.url}/login`));
});

test('the cookie ends a session with its csrf token (sign out everywhere, one session, logout)', async (t) => {
  const { token } = await signedInUser(auth);
  const headers = { ...cookie(token), origin: auth.url, 'x-csrf-token': csrfToken(token) };
  t.is((await auth.request('/auth/logout', { method: 'POST', headers })).status, 204);
  t.is((await auth.request('/auth/session', { headers: cookie(token) })).status, 401);
});

test('/auth/validate is unchanged: it takes the Bearer token a service sends, never a cookie', async (t) => {
  const { token } = await signedInUser(auth);
  const answer = await auth.request('/auth/validate', {
    method: 'POST',
    headers: { ...serviceHeaders, ...cookie(token) },
  });
  t.is(answer.status, 401);
});
