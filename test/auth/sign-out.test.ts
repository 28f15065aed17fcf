import test from 'ava';
import { csrfToken } from '../../common/session-cookie.js';
import { serviceHeaders, startAuth, type TestAuth } from '../helpers/auth.js';
import { CookieJar, field, openPage, postForm, signedInUser } from '../helpers/pages.js';

const viewer = 'http://viewer.test:8000';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_REDIRECT_ORIGINS: viewer });
});
test.after.always(() => auth.stop());

const validate = (token: string) =>
  auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token }).then((answer) => answer.status);

test('GET /logout is one "Sign out" button with the session csrf, rd kept', async (t) => {
  const { jar, token, username } = await signedInUser(auth);
  const page = await openPage(auth.request, `/logout?rd=${encodeURIComponent(`${viewer}/`)}`, jar);
  t.is(page.status, 200);
  t.is(page.contentType, 'text/html');
  t.regex(page.headers.get('content-security-policy') ?? '', /^default-src 'none'; style-src 'self'; form-action/);
  t.true(page.text.includes(`signed in as <strong>${username}</strong>`));
  t.is(page.text.match(/<button/g)?.length, 1);
  t.true(page.text.includes('<button type="submit">Sign out</button>'));
  t.is(field(page.text, 'csrf'), csrfToken(token));
  t.is(field(page.text, 'rd'), `${viewer}/`);
  t.is(await validate(token), 200, 'showing the page ends nothing');
});

test('GET /logout without a session says so and links to sign in, rd kept', async (t) => {
  const page = await openPage(auth.request, '/logout?rd=%2Fback', new CookieJar());
  t.is(page.status, 200);
  t.true(page.text.includes('You are not signed in.'));
  t.true(page.text.includes('<a href="login?rd=%2Fback">Sign in</a>'));
  t.false(page.text.includes('<form'));
});

test('POST /logout ends the session, clears the cookie and goes on to an allowed rd', async (t) => {
  const { jar, token } = await signedInUser(auth);
  const answer = await postForm(
    auth.request,
    '/logout',
    { csrf: csrfToken(token), rd: `${viewer}/?pod=web` },
    {
      jar,
      origin: auth.url,
    },
  );
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), `${viewer}/?pod=web`);
  t.is(
    answer.headers.get('set-cookie'),
    'pod-logs-session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
  );
  t.false(jar.set.has('pod-logs-session'));
  t.is(await validate(token), 401, 'the session is gone for services too');
  t.true(auth.logLines.some((line) => line.includes('session ended: logout') && line.includes(token.split('.')[0]!)));
});

test('POST /logout with rd not allowed, or none, goes to the sign-in page', async (t) => {
  for (const rd of ['https://evil.example/', undefined]) {
    const { jar, token } = await signedInUser(auth);
    const answer = await postForm(auth.request, '/logout', { csrf: csrfToken(token), rd }, { jar, origin: auth.url });
    t.is(answer.status, 303);
    t.is(answer.headers.get('location'), 'login');
    t.is(await validate(token), 401);
  }
});

test('POST /logout without a session cookie still clears the cookie and goes on', async (t) => {
  const answer = await postForm(auth.request, '/logout', { rd: '/login' }, { jar: new CookieJar(), origin: auth.url });
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), '/login');
  t.regex(answer.headers.get('set-cookie') ?? '', /^pod-logs-session=; Max-Age=0/);
});
