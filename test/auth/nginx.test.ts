import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { csrfToken } from '../../common/session-cookie.js';
import { startAuth, testPassword } from '../helpers/auth.js';
import { freePort } from '../helpers/http.js';
import { forwardAuthServer, startNginx } from '../helpers/nginx.js';
import { CookieJar, field, openPage, postForm } from '../helpers/pages.js';

/** The app behind nginx, which has no sign-in of its own: it answers with the headers it was given. */
async function echoApp() {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ url: request.url, headers: request.headers }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

test('nginx auth_request in front of an app: sign in, the app sees Remote-User, a permission, sign out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-forward-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const site = `http://127.0.0.1:${port}`;
  const auth = await startAuth({ AUTH_REDIRECT_ORIGINS: site });
  t.teardown(() => auth.stop());
  await auth.addUser('reader', testPassword, ['logs:read:team-a']);
  const app = await echoApp();
  t.teardown(() => app.close());
  const config = forwardAuthServer({
    listen: `127.0.0.1:${port}`,
    authApp: new URL(auth.url).host,
    app: `127.0.0.1:${app.port}`,
  });
  const nginx = await startNginx(dir, port, config);
  t.teardown(() => nginx.stop());
  const jar = new CookieJar();
  const through = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${site}${path}`, { redirect: 'manual', headers: { cookie: jar.header(), ...headers } });

  const asked = `${site}/tools/report?from=monday&to=friday`;
  const first = await through('/tools/report?from=monday&to=friday');
  t.is(first.status, 302, 'no cookie: to the sign-in page');
  const signInUrl = first.headers.get('location') ?? '';
  t.is(signInUrl, `${auth.url}/login?rd=${encodeURIComponent(asked)}`);

  const form = await openPage(auth.request, signInUrl.slice(auth.url.length), jar);
  t.is(field(form.text, 'rd'), asked);
  const fields = { username: 'reader', password: testPassword, csrf: field(form.text, 'csrf'), rd: asked };
  const signedIn = await postForm(auth.request, '/login', fields, { jar, origin: auth.url });
  t.is(signedIn.status, 303);
  t.is(signedIn.headers.get('location'), asked, 'back to what the browser asked nginx for');

  const served = await through('/tools/report?from=monday&to=friday', { 'remote-user': 'mallory' });
  t.is(served.status, 200);
  const seen = (await served.json()) as { url: string; headers: IncomingHttpHeaders };
  t.is(seen.url, '/tools/report?from=monday&to=friday');
  t.is(seen.headers['remote-user'], 'reader', 'nginx sets Remote-User from auth-app, whatever the browser sent');
  t.is(seen.headers['remote-permissions'], 'logs:read:team-a');
  t.is((await through('/reports/q3')).status, 403, 'a location that needs logs:read:reports');

  const token = jar.value('pod-logs-session')!;
  const crossSite = await postForm(auth.request, '/logout', { rd: asked }, { jar, origin: 'https://evil.example' });
  t.is(crossSite.status, 403);
  t.is((await through('/tools/report')).status, 200, 'a cross-site form post signed nobody out');
  const signedOut = await postForm(
    auth.request,
    '/logout',
    { csrf: csrfToken(token), rd: asked },
    {
      jar,
      origin: auth.url,
    },
  );
  t.is(signedOut.status, 303);
  t.is(signedOut.headers.get('location'), asked);
  t.is((await through('/tools/report')).status, 302, 'signed out: to the sign-in page again');
  const oldCookie = await through('/tools/report', { cookie: `pod-logs-session=${token}` });
  t.is(oldCookie.status, 302, 'the old cookie names a session that has ended');
  t.notRegex(readFileSync(nginx.errorLog, 'utf8'), /\[(emerg|alert|crit|error)\]/);
});

test('README shows the configuration this test runs', (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const shown = forwardAuthServer({ listen: '127.0.0.1:8080', authApp: '127.0.0.1:8001', app: '127.0.0.1:3000' });
  t.true(readme.includes(`\`\`\`nginx\n${shown}\n\`\`\``));
});
