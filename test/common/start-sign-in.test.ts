import test from 'ava';
import { testPassword } from '../helpers/auth.js';
import { contractClient } from '../helpers/http.js';
import { CookieJar, signIn } from '../helpers/pages.js';
import { startPair } from '../helpers/start-pair.js';

test("npm start's pair: the viewer sends a browser to sign in, and the sign-in sends it back to the viewer", async (t) => {
  const pair = await startPair([], { LOGS_HOST: '0.0.0.0' });
  t.teardown(() => pair.cleanUp());
  const { authUrl, logsPublicUrl: viewer } = pair;
  t.regex(viewer, /^http:\/\/127\.0\.0\.1:\d+$/, 'the wildcard address as a browser opens it');
  const toSignIn = await fetch(`${viewer}/`, { redirect: 'manual' });
  t.is(toSignIn.status, 303);
  t.is(toSignIn.headers.get('location'), `${authUrl}/login?rd=${encodeURIComponent(`${viewer}/`)}`);
  const auth = contractClient('auth', () => authUrl);
  const jar = new CookieJar();
  const back = await signIn(auth, jar, {
    username: 'alice',
    password: testPassword,
    rd: `${viewer}/`,
    origin: authUrl,
  });
  t.is(back.status, 303);
  t.is(back.headers.get('location'), `${viewer}/`, "logs-app's origin is trusted without AUTH_REDIRECT_ORIGINS");
  const page = await fetch(`${viewer}/`, { redirect: 'manual', headers: { cookie: jar.header() } });
  t.not(page.status, 303, 'the viewer reads the cookie the sign-in set');
  t.is(await pair.stop(), 0);
});
