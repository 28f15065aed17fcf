import test from 'ava';
import { csrfToken } from '../../common/session-cookie.js';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';
import { CookieJar, field, openPage, postForm, signIn, signedInUser } from '../helpers/pages.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth();
  await auth.addUser('alice', testPassword, ['logs:read:team-a']);
  await auth.addUser('walter', testPassword);
});
test.after.always(() => auth.stop());

const validate = (token: string) =>
  auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token }).then((answer) => answer.status);

test('GET /login is a labelled form with no script, under the pages policy, and sets the form cookie', async (t) => {
  const jar = new CookieJar();
  const page = await openPage(auth.request, '/login?rd=%2Fafter', jar);
  t.is(page.status, 200);
  t.is(page.contentType, 'text/html');
  for (const markup of [
    '<label for="username">Username</label>',
    '<label for="password">Password</label>',
    'autocomplete="username"',
    'autocomplete="current-password"',
    'type="password"',
    '<button type="submit">Sign in</button>',
    '<input type="hidden" name="rd" value="/after" />',
    '<link rel="stylesheet" href="style.css" />',
  ]) {
    t.true(page.text.includes(markup), markup);
  }
  t.false(page.text.includes('<script'));
  t.is(
    page.headers.get('content-security-policy'),
    `default-src 'none'; style-src 'self'; form-action 'self' ${auth.url}; base-uri 'none'; frame-ancestors 'none'`,
  );
  t.is(page.headers.get('cache-control'), 'no-store');
  t.is(page.headers.get('x-content-type-options'), 'nosniff');
  t.is(page.headers.get('referrer-policy'), 'no-referrer');
  const form = jar.set.get('pod-logs-form');
  t.like(form, { httpOnly: true, sameSite: 'strict', path: '/' });
  t.is(field(page.text, 'csrf'), csrfToken(form!.value!));
  const again = await openPage(auth.request, '/login', jar);
  t.is(jar.value('pod-logs-form'), form!.value, 'a second tab keeps the form cookie the first one holds');
  t.is(field(again.text, 'csrf'), field(page.text, 'csrf'));
  const style = await auth.request('/style.css');
  t.is(style.contentType, 'text/css');
  t.regex(style.text, /prefers-color-scheme: dark/);
});

test('signing in sets the session cookie until the session expires and goes on to rd', async (t) => {
  const jar = new CookieJar();
  const answer = await signIn(auth.request, jar, {
    username: 'alice',
    password: testPassword,
    rd: '/auth/session',
    origin: auth.url,
  });
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), '/auth/session');
  const cookie = jar.set.get('pod-logs-session');
  t.like(cookie, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 43_200 });
  t.falsy(cookie?.secure, 'plain HTTP: not Secure, and no __Host- prefix');
  t.falsy(cookie?.domain);
  t.is(cookie?.expires?.getTime(), Math.floor((auth.clock.now() + 43_200_000) / 1000) * 1000);
  t.is(await validate(cookie!.value!), 200, 'the cookie holds a session token like /auth/login gives');
  const attempts = auth.logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === 'login attempt' && entry.username === 'alice');
  t.like(attempts.at(-1), { clientAddress: '127.0.0.1', outcome: 'success' });
  t.false(auth.logLines.some((line) => line.includes(testPassword) || line.includes(cookie!.value!)));
});

test('wrong password and unknown user get the same 401 page, with one message and the form again', async (t) => {
  const pages: string[] = [];
  for (const username of ['walter', 'nobody']) {
    const jar = new CookieJar();
    const answer = await signIn(auth.request, jar, { username, password: 'not the password', origin: auth.url });
    t.is(answer.status, 401);
    t.is(answer.contentType, 'text/html');
    t.false(jar.set.has('pod-logs-session'));
    t.is(answer.text.match(/role="alert"/g)?.length, 1);
    t.true(answer.text.includes('Wrong username or password.'));
    t.true(answer.text.includes(`value="${username}"`), 'the username is kept');
    t.truthy(field(answer.text, 'csrf'));
    pages.push(answer.text.replace(`value="${username}"`, 'value="USER"').replace(/name="csrf" value="[^"]*"/, 'csrf'));
  }
  t.is(pages[0], pages[1]);
});

test('past the limit the form says when to try again, as Retry-After does', async (t) => {
  const limited = await startAuth({ AUTH_LOGIN_MAX_FAILURES: '2', AUTH_LOGIN_WINDOW: '600' });
  t.teardown(() => limited.stop());
  await limited.addUser('carol', testPassword);
  const jar = new CookieJar();
  const wrong = { username: 'carol', password: 'wrong password', origin: limited.url };
  t.is((await signIn(limited.request, jar, wrong)).status, 401);
  t.is((await signIn(limited.request, jar, wrong)).status, 401);
  const refused = await signIn(limited.request, jar, { ...wrong, password: testPassword });
  t.is(refused.status, 429);
  t.is(refused.contentType, 'text/html');
  t.is(refused.headers.get('retry-after'), '600');
  t.true(refused.text.includes('Too many failed sign-ins: try again in 10 minutes.'));
  t.false(jar.set.has('pod-logs-session'));
});

test('a new session at every sign-in: the one the browser held ends, a planted value is never the token', async (t) => {
  const { jar, token: before, username } = await signedInUser(auth);
  const planted = 'AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
  for (const held of [before, planted]) {
    jar.set.set('pod-logs-session', { name: 'pod-logs-session', value: held });
    const csrf = csrfToken(jar.value('pod-logs-form')!);
    const fields = { username, password: testPassword, csrf };
    t.is((await postForm(auth.request, '/login', fields, { jar, origin: auth.url })).status, 303);
    const after = jar.value('pod-logs-session')!;
    t.not(after, held);
    t.is(await validate(after), 200);
  }
  t.is(await validate(before), 401, 'the session the browser held before ended');
});

test('GET /login signed in says who is, offers the sign-out form and a link on to rd', async (t) => {
  const { jar, username } = await signedInUser(auth);
  const page = await openPage(auth.request, `/login?rd=${encodeURIComponent(`${auth.url}/auth/session`)}`, jar);
  t.is(page.status, 200);
  t.true(page.text.includes(`You are signed in as <strong>${username}</strong>.`));
  t.true(page.text.includes(`<a href="${auth.url}/auth/session">`));
  t.true(page.text.includes('<form method="post" action="logout">'));
  t.true(page.text.includes('<button type="submit">Sign out</button>'));
  t.is(field(page.text, 'csrf'), csrfToken(jar.value('pod-logs-session')!));
  t.is(field(page.text, 'rd'), `${auth.url}/auth/session`);
});

test('a form that is not valid is a page saying which field, never JSON', async (t) => {
  const jar = new CookieJar();
  await openPage(auth.request, '/login', jar);
  const answer = await postForm(auth.request, '/login', { username: 'alice' }, { jar, origin: auth.url });
  t.is(answer.status, 400);
  t.is(answer.contentType, 'text/html');
  t.regex(answer.text, /body\.password must have required property/);
  const json = await auth.request('/login', {
    method: 'POST',
    json: { username: 'alice', password: testPassword },
    headers: { origin: auth.url },
  });
  t.is(json.status, 415);
  t.is(json.contentType, 'text/html');
});
