import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Agent } from 'undici';
import { csrfToken } from '../../common/session-cookie.js';
import { startAuth, testPassword } from '../helpers/auth.js';
import { CookieJar, openPage, postForm, signIn } from '../helpers/pages.js';
import { makeCertificate } from '../helpers/certificates.js';
import { contractClient } from '../helpers/http.js';

test('over HTTPS the cookies are Secure and __Host-: one host, Path=/, no Domain', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secure-cookie-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = makeCertificate(dir);
  const auth = await startAuth({ AUTH_TLS_CERT_FILE: files.certFile, AUTH_TLS_KEY_FILE: files.keyFile });
  t.teardown(() => auth.stop());
  t.regex(auth.url, /^https:\/\//);
  await auth.addUser('alice', testPassword);
  const agent = new Agent({ connect: { ca: readFileSync(files.certFile, 'utf8'), servername: 'localhost' } });
  t.teardown(() => agent.close());
  const client = contractClient('auth', () => auth.url, agent);
  const jar = new CookieJar();
  const answer = await signIn(client, jar, { username: 'alice', password: testPassword, rd: '/', origin: auth.url });
  t.is(answer.status, 303);
  t.like(jar.set.get('__Host-pod-logs-form'), { secure: true, httpOnly: true, path: '/', sameSite: 'strict' });
  const session = jar.set.get('__Host-pod-logs-session');
  t.like(session, { secure: true, httpOnly: true, path: '/', sameSite: 'lax', maxAge: 43_200 });
  t.is(session?.domain, undefined);
  t.false(jar.set.has('pod-logs-session'));
  const who = await client('/auth/session', { headers: { cookie: jar.header() } });
  t.like(who.json, { username: 'alice' });
  const out = await postForm(client, '/logout', { csrf: csrfToken(session!.value!) }, { jar, origin: auth.url });
  t.regex(out.headers.get('set-cookie') ?? '', /^__Host-pod-logs-session=; Max-Age=0; Path=\/; .*HttpOnly; Secure/);
});

test('with AUTH_COOKIE_DOMAIN the session cookie is __Secure- with that Domain; the form cookie stays on one host', async (t) => {
  const auth = await startAuth({
    AUTH_PUBLIC_URL: 'https://sso.example.test/',
    AUTH_COOKIE_DOMAIN: '.example.test',
    AUTH_REDIRECT_ORIGINS: 'https://logs.example.test',
  });
  t.teardown(() => auth.stop());
  await auth.addUser('alice', testPassword);
  const jar = new CookieJar();
  const form = await openPage(auth.request, '/login', jar);
  t.regex(form.headers.get('content-security-policy') ?? '', /form-action 'self' https:\/\/sso\.example\.test /);
  const answer = await signIn(auth.request, jar, {
    username: 'alice',
    password: testPassword,
    rd: 'https://logs.example.test/',
    origin: 'https://sso.example.test',
  });
  t.is(answer.status, 303);
  t.is(answer.headers.get('location'), 'https://logs.example.test/');
  t.like(jar.set.get('__Secure-pod-logs-session'), { secure: true, domain: 'example.test', path: '/' });
  t.like(jar.set.get('__Host-pod-logs-form'), { secure: true, domain: undefined });
  const forward = await auth.request('/auth/forward', {
    redirect: 'manual',
    headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'logs.example.test', 'x-forwarded-uri': '/a' },
  });
  t.is(
    forward.headers.get('location'),
    `https://sso.example.test/login?rd=${encodeURIComponent('https://logs.example.test/a')}`,
  );
});
