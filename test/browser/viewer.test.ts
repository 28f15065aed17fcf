import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { downloadedLines, launchBrowser, screenshots, signIn } from '../helpers/browser.js';
import { serviceHeaders, testPassword } from '../helpers/auth.js';
import { freePort } from '../helpers/http.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let browser: Browser;
let shot: (page: Page, step: string) => Promise<void>;
let apiLog: string;

test.before(async () => {
  const logsPort = await freePort();
  stack = await startStack(
    { LOGS_PORT: String(logsPort), LOGS_FOLLOW_RECHECK_MS: '300' },
    /** An expiry reaches logs-app's kept verdicts with the purge that records it: each second here. */
    { AUTH_REDIRECT_ORIGINS: `http://127.0.0.1:${logsPort}`, AUTH_PURGE_INTERVAL: '1' },
  );
  shot = screenshots('viewer');
  await stack.auth.addUser('alice', testPassword, ['logs:read:default', 'logs:read:team-a']);
  const requests = Array.from({ length: 1500 }, (_, index) => cri(at(index), `request ${index + 1}`));
  requests.splice(1200, 0, cri(at(1199.5), 'disk almost full', 'F', 'stderr'));
  requests.splice(1300, 0, cri(at(1299.5), JSON.stringify({ level: 'error', msg: 'payment failed', order: 42 })));
  apiLog = stack.writeLog('default', 'api-7f9c', 'main', '0.log', requests);
  stack.writeLog('default', 'worker-1', 'main', '0.log', [cri(at(0), 'worker up')]);
  stack.writeLog('default', 'worker-1', 'sidecar', '0.log', [cri(at(0), 'sidecar up')]);
  stack.writeLog('team-a', 'billing-0', 'main', '0.log', [cri(at(0), 'billing up')]);
  stack.writeLog('secret', 'vault-0', 'main', '0.log', [cri(at(0), 'unsealed')]);
  browser = await launchBrowser();
});
test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
});

const viewer = () => `${stack.logs.url.replace('0.0.0.0', '127.0.0.1')}/`;
/** Polls where the page is rather than waiting for a navigation event, which a page that navigates twice can pass. */
async function onSignInPage(page: Page): Promise<void> {
  const atSignIn = () => page.url().startsWith(`${stack.auth.url}/login`);
  for (let waited = 0; !atSignIn() && waited < 200; waited += 1) await page.waitForTimeout(100);
  if (!atSignIn()) throw new Error(`not at the sign-in page but at ${page.url()}`);
  await page.getByLabel('Username').waitFor();
}

async function signedIn(context: BrowserContext, path = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(viewer() + path);
  await onSignInPage(page);
  await signIn(page, 'alice', testPassword);
  await page.waitForURL(viewer() + path);
  await page.getByText('Signed in as').waitFor();
  return page;
}

const sessionCookie = async (context: BrowserContext) =>
  (await context.cookies()).find((cookie) => cookie.name === 'pod-logs-session')?.value;

async function validates(token: string): Promise<boolean> {
  const response = await stack.auth.request('/auth/validate', { method: 'POST', token, headers: serviceHeaders });
  return response.status === 200;
}

test.serial('a person signs in, finds a pod, reads and follows it, filters, downloads and signs out', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(viewer());
  await onSignInPage(page);
  t.true(new URL(page.url()).searchParams.get('rd')?.startsWith(viewer()));
  await shot(page, 'sign-in');

  await signIn(page, 'alice', 'not the password');
  await onSignInPage(page);
  await t.notThrowsAsync(page.getByRole('alert').waitFor());
  await shot(page, 'wrong-password');
  await signIn(page, 'alice', testPassword);
  await page.waitForURL(viewer());
  await t.notThrowsAsync(page.getByText('Signed in as alice').waitFor());

  await page.getByRole('heading', { name: 'Pods' }).waitFor();
  const namespaces = await page.locator('caption').allTextContents();
  t.deepEqual(namespaces, ['Namespace default', 'Namespace team-a']);
  t.is(await page.getByText('vault-0').count(), 0);
  await shot(page, 'pod-list');
  await page.getByLabel('Find a pod').fill('bill');
  await t.notThrowsAsync(page.getByRole('status').getByText('1 pod in 1 namespace').waitFor());
  t.is(await page.getByRole('link', { name: 'api-7f9c' }).count(), 0);
  await page.getByLabel('Find a pod').fill('');

  await page.getByRole('link', { name: 'api-7f9c' }).click();
  const lines = page.getByRole('log', { name: 'Log lines' });
  await lines.getByText('request 1500', { exact: true }).waitFor();
  await t.notThrowsAsync(page.getByText('1,000 lines').waitFor());
  await t.notThrowsAsync(page.getByText('Live', { exact: true }).waitFor());
  t.true((await lines.locator('.row').count()) < 150, 'only the rows on screen are in the DOM');
  await shot(page, 'pod-view');

  stack.appendLog(apiLog, [cri(at(1600), 'request 1501 appended')]);
  await t.notThrowsAsync(lines.getByText('request 1501 appended').waitFor({ timeout: 5000 }));
  await shot(page, 'appended-line');

  await page.getByLabel('Filter').fill('failed');
  await t.notThrowsAsync(page.getByText('1 of 1,001 lines match').waitFor());
  t.is(await lines.locator('mark').first().textContent(), 'failed');
  t.is(await lines.locator('.level-error').textContent(), 'error');
  t.regex((await lines.locator('.row').first().textContent()) ?? '', /order=42/);
  await shot(page, 'filter-json-line');

  await page.getByLabel('Filter').fill('disk');
  t.regex((await lines.locator('.row.stderr').textContent()) ?? '', /^stderr: disk almost full/);

  await page.getByLabel('Regular expression').check();
  await page.getByLabel('Filter').fill('(');
  t.is(await page.getByLabel('Filter').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Filter').fill('^request 14\\d\\d$');
  await t.notThrowsAsync(page.getByText('100 of 1,001 lines match').waitFor());
  await page.getByLabel('Timestamps').check();
  await t.notThrowsAsync(lines.locator('time').first().waitFor());
  await shot(page, 'regular-expression');

  const downloaded = await downloadedLines(page);
  t.is(downloaded.length, 100);
  t.is(downloaded[0], `${at(1399)} request 1400`);
  t.is(downloaded.at(-1), `${at(1498)} request 1499`);

  const token = await sessionCookie(context);
  t.truthy(token);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await onSignInPage(page);
  await shot(page, 'signed-out');
  t.false(await validates(token!), 'signing out ended the session');
  await page.goto(viewer());
  await t.notThrowsAsync(onSignInPage(page));
  await context.close();
});

test.serial('a session that expires takes the page back to sign-in, and then back to the same pod', async (t) => {
  const context = await browser.newContext();
  const path = '?namespace=default&pod=worker-1&container=sidecar';
  const page = await signedIn(context, path);
  await page.getByText('sidecar up').waitFor();
  await page.getByText('Live', { exact: true }).waitFor();
  t.is(await page.getByLabel('Container', { exact: true }).inputValue(), 'sidecar');

  stack.auth.clock.advance(1801);
  await t.notThrowsAsync(onSignInPage(page));
  await shot(page, 'session-expired');
  await signIn(page, 'alice', testPassword);
  await page.waitForURL(viewer() + path);
  await t.notThrowsAsync(page.getByText('sidecar up').waitFor());
  await context.close();
});

test.serial('auth-app unavailable: a banner says so, and the page goes on by itself once it is back', async (t) => {
  const context = await browser.newContext();
  const page = await signedIn(context, '?namespace=team-a&pod=billing-0');
  await page.getByText('Live', { exact: true }).waitFor();
  await stack.auth.restart(async () => {
    const banner = page.getByRole('alert');
    await t.notThrowsAsync(banner.waitFor({ timeout: 10_000 }));
    t.regex((await banner.textContent()) ?? '', /Retrying/);
    await shot(page, 'auth-unavailable');
  });
  await t.notThrowsAsync(page.getByText('Live', { exact: true }).waitFor({ timeout: 15_000 }));
  t.is(await page.getByRole('alert').count(), 0);
  await context.close();
});

test.serial('a form on another site cannot sign the browser out', async (t) => {
  const context = await browser.newContext();
  const page = await signedIn(context);
  const token = await sessionCookie(context);
  const elsewhere: Server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end(
      `<form method="post" action="${stack.auth.url}/logout"><input type="hidden" name="rd" value="/">` +
        '<button>Win a prize</button></form>',
    );
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  const port = (elsewhere.address() as AddressInfo).port;
  try {
    const trap = await context.newPage();
    await trap.goto(`http://127.0.0.1:${port}/`);
    await trap.getByRole('button', { name: 'Win a prize' }).click();
    await trap.waitForLoadState();
    await shot(trap, 'cross-site-post');
    t.true(await validates(token!), 'the session lives on');
    await page.reload();
    await t.notThrowsAsync(page.getByText('Signed in as alice').waitFor());
  } finally {
    await new Promise((resolve) => elsewhere.close(resolve));
    await context.close();
  }
});
