import test from 'ava';
import { startAuth, type TestAuth } from '../helpers/auth.js';
import { assertMatchesSpec } from '../helpers/contract.js';
import { freePort } from '../helpers/http.js';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.js';

const clientSecret = 'oidc-client-secret-for-routes-0123456789';
let provider: TestProvider;
let auth: TestAuth;

test.before(async () => {
  const port = await freePort();
  provider = await startProvider(
    { clientId: 'pod-logs', clientSecret, redirectUris: [`http://127.0.0.1:${port}/auth/oidc/callback`] },
    new Map(),
  );
  auth = await startAuth({
    AUTH_PORT: String(port),
    AUTH_OIDC_ISSUER: provider.issuer,
    AUTH_OIDC_CLIENT_ID: 'pod-logs',
    AUTH_OIDC_CLIENT_SECRET: clientSecret,
  });
});
test.after.always(async () => {
  await auth.stop();
  await provider.stop();
});

/** What a browser gets, redirects not followed, checked against openapi/auth.yaml. */
async function browse(path: string, init: RequestInit = {}) {
  const response = await fetch(`${auth.url}${path}`, { ...init, redirect: 'manual' });
  const text = await response.text();
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const json: unknown = contentType.endsWith('json') && text ? JSON.parse(text) : undefined;
  const checked = { status: response.status, headers: response.headers, contentType, text, json };
  await assertMatchesSpec('auth', init.method ?? 'GET', path, checked);
  return checked;
}

test('the button: to the provider with PKCE S256, state and nonce, and a sealed Lax cookie', async (t) => {
  const response = await browse('/auth/oidc/start?rd=%2Fauth%2Fsession');
  t.is(response.status, 303);
  const location = new URL(response.headers.get('location')!);
  t.is(location.origin, provider.issuer);
  t.is(location.searchParams.get('code_challenge_method'), 'S256');
  t.is(location.searchParams.get('redirect_uri'), `${auth.url}/auth/oidc/callback`);
  t.truthy(location.searchParams.get('state'));
  t.truthy(location.searchParams.get('nonce'));
  t.is(location.searchParams.get('scope'), 'openid profile email groups');
  const cookie = response.headers.get('set-cookie') ?? '';
  t.regex(cookie, /^pod-logs-oidc=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
  t.notRegex(cookie, new RegExp(location.searchParams.get('state')!), 'the state is sealed, not in the clear');
});

test('a callback with a forged flow cookie, or none, is a 400 page and sets no session', async (t) => {
  for (const cookie of [undefined, 'pod-logs-oidc=eyJhbGciOiJkaXIifQ..forged.forged.forged']) {
    const response = await browse('/auth/oidc/callback?code=c&state=s&session_state=ignored', {
      headers: cookie ? { cookie } : {},
    });
    t.is(response.status, 400);
    t.is(response.contentType, 'text/html');
    t.regex(response.text, /not started in this browser/);
    t.notRegex(response.headers.get('set-cookie') ?? '', /pod-logs-session=[^;]/);
  }
});

test("the plugin's start takes only a loopback redirect; its code trade refuses a forged code", async (t) => {
  const challenge = 'A'.repeat(43);
  const good = await browse(
    `/auth/oidc/cli?redirect_uri=${encodeURIComponent('http://127.0.0.1:9/callback')}&code_challenge=${challenge}&state=${'s'.repeat(16)}`,
  );
  t.is(good.status, 303);
  const elsewhere = await browse(
    `/auth/oidc/cli?redirect_uri=${encodeURIComponent('http://evil.example/callback')}&code_challenge=${challenge}&state=${'s'.repeat(16)}`,
  );
  t.is(elsewhere.status, 400);
  t.is(elsewhere.contentType, 'text/html');
  const forged = await browse('/auth/oidc/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'forged', codeVerifier: 'v'.repeat(43) }),
  });
  t.is(forged.status, 400);
  t.is((forged.json as { type: string }).type.endsWith('invalid-grant'), true);
});
