import test from 'ava';
import { startAuth, testPassword, testServiceToken, type TestAuth } from '../helpers/auth.js';
import { CookieJar, openPage, signIn, signedInUser } from '../helpers/pages.js';
import { runScript } from '../helpers/processes.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth({ AUTH_REDIRECT_ORIGINS: 'https://app.example.test, http://viewer.test:8000/' });
});
test.after.always(() => auth.stop());

/** Sign-ins of one user at once are regulated: each test signs in a user of its own. */
let users = 0;
async function signInWith(rd: string) {
  users += 1;
  const username = `rd${users}`;
  await auth.addUser(username, testPassword);
  return signIn(auth.request, new CookieJar(), { username, password: testPassword, rd, origin: auth.url });
}

const refused = [
  '//evil.example/',
  '/\\evil.example/',
  '/\t/evil.example/',
  'https://evil.example/',
  'https://app.example.test.evil.example/',
  'http://app.example.test/',
  'https://user@app.example.test/',
  'https://app.example.test@evil.example/',
  'javascript:alert(1)',
  'data:text/html,hi',
  'evil.example',
];

for (const rd of refused) {
  test(`rd ${JSON.stringify(rd)} is not followed: the page says who is signed in and that rd was refused`, async (t) => {
    const answer = await signInWith(rd);
    t.is(answer.status, 303);
    t.is(answer.headers.get('location'), `login?rd=${encodeURIComponent(rd)}`);
    const { jar, username } = await signedInUser(auth);
    const page = await openPage(auth.request, `/${answer.headers.get('location')}`, jar);
    t.true(page.text.includes(`You are signed in as <strong>${username}</strong>.`));
    t.true(page.text.includes('this sign-in sends nobody there'));
    t.false(page.text.includes('Continue to'));
  });
}

const allowed: Array<[string, string]> = [
  ['https://app.example.test/logs?pod=web&follow=1', 'https://app.example.test/logs?pod=web&follow=1'],
  ['http://viewer.test:8000/', 'http://viewer.test:8000/'],
  ['HTTPS://APP.EXAMPLE.TEST/x', 'https://app.example.test/x'],
  ['/auth/session?x=1', '/auth/session?x=1'],
];

for (const [rd, location] of allowed) {
  test(`rd ${rd} on auth-app or an AUTH_REDIRECT_ORIGINS origin is followed`, async (t) => {
    const answer = await signInWith(rd);
    t.is(answer.status, 303);
    t.is(answer.headers.get('location'), location);
  });
}

test('an allowed origin may be posted from and is in form-action; others are not', async (t) => {
  const page = await openPage(auth.request, '/login', new CookieJar());
  t.regex(
    page.headers.get('content-security-policy') ?? '',
    new RegExp(`form-action 'self' ${auth.url} https://app.example.test http://viewer.test:8000;`),
  );
});

test('AUTH_REDIRECT_ORIGINS or AUTH_COOKIE_DOMAIN that cannot work exits 2 naming the variable and the value', async (t) => {
  const run = (env: Record<string, string>) =>
    runScript('auth-app/main.ts', [], {
      AUTH_PORT: '0',
      AUTH_DATABASE_URL: `sqlite:${auth.dir}/config-errors.db`,
      AUTH_SERVICE_TOKEN: testServiceToken,
      ...env,
    });
  for (const bad of ['https://app.example.test/path', 'ftp://files.example.test', 'app.example.test']) {
    const result = await run({ AUTH_REDIRECT_ORIGINS: `http://ok.example.test, ${bad}` });
    t.is(result.code, 2, bad);
    t.true(result.stderr.includes(`AUTH_REDIRECT_ORIGINS: ${bad} is not an origin`), result.stderr);
  }
  const domain = await run({ AUTH_PUBLIC_URL: 'https://auth.example.test', AUTH_COOKIE_DOMAIN: 'other.test' });
  t.is(domain.code, 2);
  t.regex(domain.stderr, /AUTH_COOKIE_DOMAIN: other\.test must be AUTH_PUBLIC_URL's host or a domain above it/);
  const url = await run({ AUTH_PUBLIC_URL: 'https://user@auth.example.test' });
  t.is(url.code, 2);
  t.regex(url.stderr, /AUTH_PUBLIC_URL: /);
});
