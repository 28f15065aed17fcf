import test from 'ava';
import { csrfToken } from '../../common/session-cookie.js';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';
import { CookieJar, openPage, postForm, signedInUser } from '../helpers/pages.js';

const trusted = 'https://viewer.example.test';
const evil = 'https://evil.example';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_REDIRECT_ORIGINS: trusted });
  await auth.addUser('alice', testPassword);
  await auth.addUser('bob', testPassword);
});
test.after.always(() => auth.stop());

const validate = (token: string) =>
  auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token }).then((answer) => answer.status);

const signedIn = () => signedInUser(auth);

interface Attempt {
  name: string;
  origin: string | undefined;
  headers?: Record<string, string>;
  csrf: (token: string) => string | undefined;
}

const right = (token: string) => csrfToken(token);
const attempts: Attempt[] = [
  { name: 'Origin of another site', origin: evil, csrf: right },
  { name: 'Origin null', origin: 'null', csrf: right },
  { name: 'Origin null from another site', origin: 'null', headers: { 'sec-fetch-site': 'cross-site' }, csrf: right },
  { name: 'Sec-Fetch-Site cross-site', origin: undefined, headers: { 'sec-fetch-site': 'cross-site' }, csrf: right },
  { name: 'no csrf', origin: undefined, csrf: () => undefined },
  { name: 'a wrong csrf', origin: undefined, csrf: () => csrfToken('another token') },
  { name: 'the token itself as csrf', origin: undefined, csrf: (token) => token },
];

for (const attempt of attempts) {
  test(`POST /logout with ${attempt.name} is refused with a page and the session lives`, async (t) => {
    const { jar, token } = await signedIn();
    const fields = { csrf: attempt.csrf(token), rd: '/login' };
    const answer = await postForm(auth.request, '/logout', fields, { jar, ...attempt });
    t.is(answer.status, 403);
    t.is(answer.contentType, 'text/html');
    t.true(answer.text.includes('Nothing was changed.'));
    t.is(answer.headers.get('set-cookie'), null);
    t.is(await validate(token), 200);
  });

  test(`POST /login with ${attempt.name} signs nobody in`, async (t) => {
    const jar = new CookieJar();
    await openPage(auth.request, '/login', jar);
    const fields = { username: 'alice', password: testPassword, csrf: attempt.csrf(jar.value('pod-logs-form')!) };
    const answer = await postForm(auth.request, '/login', fields, { jar, ...attempt });
    t.is(answer.status, 403);
    t.is(answer.contentType, 'text/html');
    t.false(jar.set.has('pod-logs-session'));
  });

  test(`DELETE /auth/sessions by cookie with ${attempt.name} is refused and the session lives`, async (t) => {
    const { token } = await signedIn();
    const csrf = attempt.csrf(token);
    const headers = {
      cookie: `pod-logs-session=${token}`,
      ...(attempt.origin === undefined ? {} : { origin: attempt.origin }),
      ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
      ...attempt.headers,
    };
    for (const path of ['/auth/sessions', `/auth/sessions/${token.split('.')[0]}`]) {
      const answer = await auth.request(path, { method: 'DELETE', headers });
      t.is(answer.status, 403, path);
      t.is(answer.contentType, 'application/problem+json');
    }
    t.is((await auth.request('/auth/logout', { method: 'POST', headers })).status, 403);
    t.is(await validate(token), 200);
  });
}

test('a form posted from the signed-in page without a form cookie is refused', async (t) => {
  const jar = new CookieJar();
  await openPage(auth.request, '/login', jar);
  const csrf = csrfToken(jar.value('pod-logs-form')!);
  jar.set.delete('pod-logs-form');
  const answer = await postForm(
    auth.request,
    '/login',
    { username: 'alice', password: testPassword, csrf },
    {
      jar,
      origin: auth.url,
    },
  );
  t.is(answer.status, 403);
});

test('a trusted origin may sign out with the right csrf (the viewer does); same-site fetches pass too', async (t) => {
  const { jar, token } = await signedIn();
  const answer = await postForm(
    auth.request,
    '/logout',
    { csrf: csrfToken(token), rd: `${trusted}/` },
    {
      jar,
      origin: trusted,
    },
  );
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), `${trusted}/`);
  t.is(await validate(token), 401);
  const noReferrer = await signedIn();
  const fields = { csrf: csrfToken(noReferrer.token) };
  const nullOrigin = { 'sec-fetch-site': 'same-origin' };
  const fromItsOwnPage = await postForm(auth.request, '/logout', fields, {
    jar: noReferrer.jar,
    origin: 'null',
    headers: nullOrigin,
  });
  t.is(fromItsOwnPage.status, 303, 'a page under no-referrer posts with Origin: null, and Sec-Fetch-Site says whose');
  const other = await signedIn();
  const headers = {
    cookie: `pod-logs-session=${other.token}`,
    'sec-fetch-site': 'same-origin',
    'x-csrf-token': csrfToken(other.token),
  };
  const ended = await auth.request(`/auth/sessions/${other.token.split('.')[0]}`, { method: 'DELETE', headers });
  t.is(ended.status, 204);
});

test('a Bearer token needs no csrf and no origin: no browser sends it by itself', async (t) => {
  const token = await auth.login('bob', testPassword);
  const answer = await auth.request('/auth/sessions', { method: 'DELETE', token, headers: { origin: evil } });
  t.is(answer.status, 200);
});

test('the refusal is in the request line, with why', async (t) => {
  const { jar } = await signedIn();
  const answer = await postForm(auth.request, '/logout', {}, { jar, origin: evil });
  const id = answer.headers.get('x-request-id') ?? '';
  const line =
    auth.logLines.find((each) => each.includes(`"requestId":"${id}"`) && each.includes('"msg":"request"')) ?? '';
  t.like(JSON.parse(line), { status: 403, crossSite: 'origin' });
});
