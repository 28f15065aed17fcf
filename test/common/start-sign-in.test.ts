import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { hashPassword } from '../../auth-app/passwords.js';
import { openStore } from '../../auth-app/store/open.js';
import { testPassword } from '../helpers/auth.js';
import { contractClient } from '../helpers/http.js';
import { CookieJar, signIn } from '../helpers/pages.js';
import { finished, spawnScript, waitForLine } from '../helpers/processes.js';

test("npm start's pair: the viewer sends a browser to sign in, and the sign-in sends it back to the viewer", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'start-sign-in-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databaseUrl = `sqlite:${join(dir, 'auth.db')}`;
  const store = await openStore(databaseUrl, { poolSize: 1, connectTimeoutMs: 1000, queryTimeoutMs: 1000 });
  const passwordHash = await hashPassword(testPassword);
  await store.createUser({ id: randomUUID(), username: 'alice', passwordHash, permissions: [], createdAt: 0 });
  await store.close();
  mkdirSync(join(dir, 'pods'));
  const child = spawnScript('start.ts', [], {
    AUTH_PORT: '0',
    LOGS_PORT: '0',
    LOGS_HOST: '0.0.0.0',
    AUTH_DATABASE_URL: databaseUrl,
    LOGS_DIR: join(dir, 'pods'),
  });
  t.teardown(() => child.kill('SIGKILL'));
  const authLine = waitForLine(child, /auth-app listening/);
  const { publicUrl: viewer } = JSON.parse(await waitForLine(child, /logs-app listening/)) as { publicUrl: string };
  const { url: authUrl } = JSON.parse(await authLine) as { url: string };
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
  child.kill('SIGTERM');
  t.is((await finished(child)).code, 0);
});
