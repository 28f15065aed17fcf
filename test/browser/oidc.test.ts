import test from 'ava';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testPassword } from '../helpers/auth.js';
import { launchBrowser, screenshots, signIn } from '../helpers/browser.js';
import { freePort } from '../helpers/http.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';
import { startProvider, type TestAccount, type TestProvider } from '../helpers/oidc-provider.js';

const clientSecret = 'oidc-client-secret-for-tests-0123456789';
let provider: TestProvider;
let stack: TestStack;
let browser: Browser;
let shot: (page: Page, step: string) => Promise<void>;

const accounts = new Map<string, TestAccount>([
  ['subject-carol', { username: 'carol', groups: ['dev'] }],
  ['subject-olga', { username: 'olga', groups: ['ops', 'unmapped'] }],
  ['subject-dora', { username: 'dora', groups: ['dev'] }],
  ['subject-erin', { username: 'erin', groups: ['dev'] }],
  ['subject-local', { username: 'lena', groups: ['ops'] }],
]);

async function startWithProvider(providerUp = true) {
  const authPort = await freePort();
  const logsPort = await freePort();
  const callback = `http://127.0.0.1:${authPort}/auth/oidc/callback`;
  const started = await startProvider(
    {
      clientId: 'pod-logs',
      clientSecret,
      redirectUris: [callback],
      postLogoutRedirectUris: [`http://127.0.0.1:${authPort}/login`],
    },
    accounts,
  );
  if (!providerUp) await started.stop();
  const started_stack = await startStack(
    { LOGS_PORT: String(logsPort) },
    {
      AUTH_PORT: String(authPort),
      AUTH_REDIRECT_ORIGINS: `http://127.0.0.1:${logsPort}`,
      AUTH_OIDC_ISSUER: started.issuer,
      AUTH_OIDC_CLIENT_ID: 'pod-logs',
      AUTH_OIDC_CLIENT_SECRET: clientSecret,
      AUTH_OIDC_NAME: 'Test IdP',
      AUTH_OIDC_GROUP_PERMISSIONS: 'dev=logs:read:default;ops=logs:read',
    },
  );
  return { provider: started, stack: started_stack };
}

test.before(async () => {
  ({ provider, stack } = await startWithProvider());
  shot = screenshots('oidc');
  stack.writeLog('default', 'api', 'main', '0.log', [cri(at(0), 'api up')]);
  stack.writeLog('team-a', 'billing', 'main', '0.log', [cri(at(0), 'billing up')]);
  await stack.auth.addUser('lena', testPassword, ['logs:read:team-a']);
  browser = await launchBrowser();
});
test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
  await provider?.stop();
});

const viewer = () => `${stack.logs.url}/`;
const providerButton = (page: Page) => page.getByRole('button', { name: 'Sign in with Test IdP' });

/** Through the provider's own pages (oidc-provider's development login, which takes any password, and consent). */
async function signInAtProvider(page: Page, subject: string): Promise<void> {
  await providerButton(page).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('input[name=login]').fill(subject);
  await page.locator('input[name=password]').fill('any');
  await page.locator('button[type=submit]').click();
  const consent = page.getByRole('button', { name: 'Continue' });
  await consent.waitFor();
  await consent.click();
}

async function viaProvider(context: BrowserContext, subject: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(viewer());
  await signInAtProvider(page, subject);
  await page.waitForURL(viewer());
  return page;
}

/** The namespaces of the pod list, once it has loaded. */
async function namespacesShown(page: Page): Promise<string[]> {
  await page.getByRole('heading', { name: 'Pods' }).waitFor();
  return page.locator('caption').allTextContents();
}

async function sessionsOf(username: string): Promise<number> {
  const user = await stack.auth.service.store.findUser(username);
  if (!user) return 0;
  return (await stack.auth.service.store.listSessions(user.id, { now: stack.auth.clock.now(), lastSeenAfter: 0 }))
    .length;
}

test.serial('the button, the provider, and back signed in with the permissions the groups map to', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(viewer());
  await providerButton(page).waitFor();
  t.is(await page.getByLabel('Password').count(), 1, 'the password form stays');
  await shot(page, 'sign-in-with-provider');
  await signInAtProvider(page, 'subject-carol');
  await page.waitForURL(viewer());
  await t.notThrowsAsync(page.getByText('Signed in as carol').waitFor());
  t.deepEqual(await namespacesShown(page), ['Namespace default']);
  await shot(page, 'signed-in-through-provider');
  const carol = await stack.auth.service.store.findUser('carol');
  t.like(carol, {
    passwordHash: undefined,
    identity: { issuer: provider.issuer, subject: 'subject-carol' },
    providerPermissions: ['logs:read:default'],
    permissions: [],
  });
  t.true(
    stack.auth.logLines.some(
      (line) => line.includes('"issuer"') && line.includes(provider.issuer) && line.includes('carol'),
    ),
    'the sign-in is audited with the issuer',
  );
  await context.close();
});

test.serial("a user of another group gets that group's permissions; groups without a mapping give none", async (t) => {
  const context = await browser.newContext();
  const page = await viaProvider(context, 'subject-olga');
  t.deepEqual(await namespacesShown(page), ['Namespace default', 'Namespace team-a']);
  t.deepEqual((await stack.auth.service.store.findUser('olga'))?.providerPermissions, ['logs:read']);
  await context.close();
});

test.serial('a local user still signs in with a password; a provider user of the same name is refused', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(viewer());
  await signIn(page, 'lena', testPassword);
  await page.waitForURL(viewer());
  t.deepEqual(await namespacesShown(page), ['Namespace team-a']);
  await context.clearCookies();
  await page.goto(viewer());
  await signInAtProvider(page, 'subject-local');
  await t.notThrowsAsync(page.getByText('A user named lena exists here already').waitFor());
  await shot(page, 'username-clash');
  const lena = await stack.auth.service.store.findUser('lena');
  t.is(lena?.identity, undefined, 'never merged');
  t.deepEqual(lena?.permissions, ['logs:read:team-a']);
  await context.close();
});

test.serial('a forged or replayed callback makes no session and says why', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const forged = await page.goto(`${stack.auth.url}/auth/oidc/callback?code=forged&state=forged`);
  t.is(forged?.status(), 400);
  await t.notThrowsAsync(page.getByText('was not started in this browser').waitFor());
  await shot(page, 'forged-callback');

  let callback: string | undefined;
  page.on('request', (request) => {
    if (request.url().startsWith(`${stack.auth.url}/auth/oidc/callback`)) callback = request.url();
  });
  await page.goto(viewer());
  await signInAtProvider(page, 'subject-dora');
  await page.waitForURL(viewer());
  t.is(await sessionsOf('dora'), 1);
  t.truthy(callback);
  const replayed = await page.goto(callback!);
  t.is(replayed?.status(), 400);
  t.is(await sessionsOf('dora'), 1, 'the replay made no second session');

  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await other.goto(callback!);
  await t.notThrowsAsync(other.getByText('was not started in this browser').waitFor());
  t.is(await sessionsOf('dora'), 1);
  t.false(
    (await elsewhere.cookies()).some((cookie) => cookie.name === 'pod-logs-session'),
    'no cookie for the other browser',
  );
  await elsewhere.close();
  await context.close();
});

test.serial('an error from the provider makes no session and the page says what it was', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(viewer());
  await providerButton(page).click();
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.getByRole('link', { name: /Cancel/ }).click();
  await t.notThrowsAsync(page.getByText(/Test IdP did not sign you in: access_denied/).waitFor());
  t.false(page.url().startsWith(viewer()));
  await shot(page, 'provider-error');
  await context.close();
});

test.serial('the provider rotates its keys: the next sign-in verifies with the new ones', async (t) => {
  const context = await browser.newContext();
  await viaProvider(context, 'subject-erin');
  await context.close();
  await provider.rotateKeys();
  const again = await browser.newContext();
  const page = await viaProvider(again, 'subject-erin');
  await t.notThrowsAsync(page.getByText('Signed in as erin').waitFor());
  await again.close();
});

test.serial('a group removed at the provider takes its permission away at the next sign-in', async (t) => {
  accounts.set('subject-carol', { username: 'carol', groups: [] });
  const context = await browser.newContext();
  const page = await viaProvider(context, 'subject-carol');
  t.deepEqual(await namespacesShown(page), []);
  await t.notThrowsAsync(page.getByText('may read the logs of no namespace').waitFor());
  t.deepEqual((await stack.auth.service.store.findUser('carol'))?.providerPermissions, []);
  await context.close();
});

test.serial('a disabled user cannot come back through the provider', async (t) => {
  const olga = await stack.auth.service.store.findUser('olga');
  await stack.auth.service.store.setDisabled(olga!.id, true);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(viewer());
  await signInAtProvider(page, 'subject-olga');
  await t.notThrowsAsync(page.getByText('olga is disabled here').waitFor());
  t.is(await sessionsOf('olga'), 0);
  await context.close();
});

test.serial('signing out offers to sign out at the provider too', async (t) => {
  const context = await browser.newContext();
  const page = await viaProvider(context, 'subject-erin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  const atProvider = page.getByRole('link', { name: 'Also sign out of Test IdP' });
  await t.notThrowsAsync(atProvider.waitFor());
  t.true((await atProvider.getAttribute('href'))?.startsWith(`${provider.issuer}/session/end`));
  await shot(page, 'signed-out-offer-provider');
  await context.close();
});

test('a provider down at start: the button says so, and works once the provider answers', async (t) => {
  const down = await startWithProvider(false);
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${down.stack.auth.url}/login`);
    const button = page.getByRole('button', { name: 'Sign in with Test IdP' });
    t.true(await button.isDisabled());
    await t.notThrowsAsync(page.getByText('Test IdP cannot be reached just now').waitFor());
    await down.provider.start();
    await t.notThrowsAsync(async () => {
      for (let tries = 0; tries < 40 && (await button.isDisabled()); tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await page.reload();
      }
    });
    t.false(await button.isDisabled());
    await context.close();
  } finally {
    await down.stack.stop();
    await down.provider.stop();
  }
});
