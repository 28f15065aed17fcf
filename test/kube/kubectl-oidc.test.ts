import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { launchBrowser } from '../helpers/browser.js';
import { makeCertificate } from '../helpers/certificates.js';
import { freePort } from '../helpers/http.js';
import { Kubectl, kubeconfigFor, type KubectlResult } from '../helpers/kubectl.js';
import { at, cri, startStack } from '../helpers/logs.js';
import { startProvider } from '../helpers/oidc-provider.js';

const clientSecret = 'oidc-client-secret-for-kubectl-0123456789';

test('kubectl signs in through the identity provider in the browser, once, for a user without a password', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-oidc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const authPort = await freePort();
  const provider = await startProvider(
    { clientId: 'pod-logs', clientSecret, redirectUris: [`http://127.0.0.1:${authPort}/auth/oidc/callback`] },
    new Map([['subject-kim', { username: 'kim', groups: ['dev'] }]]),
  );
  t.teardown(() => provider.stop());
  const certificate = makeCertificate(dir);
  const stack = await startStack(
    { LOGS_TLS_CERT_FILE: certificate.certFile, LOGS_TLS_KEY_FILE: certificate.keyFile },
    {
      AUTH_PORT: String(authPort),
      AUTH_OIDC_ISSUER: provider.issuer,
      AUTH_OIDC_CLIENT_ID: 'pod-logs',
      AUTH_OIDC_CLIENT_SECRET: clientSecret,
      AUTH_OIDC_GROUP_PERMISSIONS: 'dev=logs:read:default',
    },
  );
  t.teardown(() => stack.stop());
  stack.writeLog('default', 'hello', 'main', '0.log', [cri(at(0), 'hello through the provider')]);

  const made = await kubeconfigFor(
    '--server',
    stack.logs.url,
    '--certificate-authority',
    certificate.certFile,
    '--auth-server',
    stack.auth.url,
    '--sign-in',
    'oidc',
  );
  t.is(made.code, 0, made.stderr);
  const opened = join(dir, 'opened');
  const browserScript = join(dir, 'browser');
  writeFileSync(browserScript, `#!/bin/sh\necho "$1" >> ${opened}\n`);
  chmodSync(browserScript, 0o755);
  const kubectl = new Kubectl({ XDG_CACHE_HOME: join(dir, 'cache'), BROWSER: browserScript });
  t.teardown(() => kubectl.remove());
  writeFileSync(kubectl.kubeconfig, made.stdout);

  const first: Promise<KubectlResult> = kubectl.run('--context', 'pod-logs', 'logs', 'hello');
  for (let waited = 0; !existsSync(opened) && waited < 100; waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = readFileSync(opened, 'utf8').trim();
  t.true(url.startsWith(`${stack.auth.url}/auth/oidc/cli?`), url);
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator('input[name=login]').fill('subject-kim');
  await page.locator('input[name=password]').fill('any');
  await page.locator('button[type=submit]').click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await t.notThrowsAsync(page.getByText('Signed in. You may close this tab.').waitFor());

  const result = await first;
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout, 'hello through the provider\n');
  const kim = await stack.auth.service.store.findUser('kim');
  t.like(kim, { passwordHash: undefined, identity: { issuer: provider.issuer, subject: 'subject-kim' } });

  const again = await kubectl.run('--context', 'pod-logs', 'get', 'pods', '-o', 'name');
  t.is(again.stdout, 'pod/hello\n');
  t.is(readFileSync(opened, 'utf8').trim().split('\n').length, 1, 'the cached session serves: no second sign-in');

  const forged = await stack.auth.request('/auth/oidc/token', {
    method: 'POST',
    json: { code: 'forged', codeVerifier: 'v'.repeat(43) },
  });
  t.is(forged.status, 400);
});

test('without a provider set up, its routes say so: a 404 page, a 404 problem', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const start = await stack.auth.request('/auth/oidc/start');
  t.is(start.status, 404);
  t.is(start.contentType, 'text/html');
  const token = await stack.auth.request('/auth/oidc/token', {
    method: 'POST',
    json: { code: 'forged', codeVerifier: 'v'.repeat(43) },
  });
  t.is(token.status, 404);
  t.is(token.contentType, 'application/problem+json');
});
