import test from 'ava';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { downloadedLines, launchBrowser } from '../helpers/browser.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;

test.before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  context = await browser.newContext();
  const token = await stack.tokenFor('reader', ['logs:read:default']);
  await context.addCookies([{ name: 'pod-logs-session', value: token, url: stack.logs.url, httpOnly: true }]);
});
test.after.always(async () => {
  await browser?.close();
  await stack?.stop();
});

const count = (n: number) => n.toLocaleString('en');

async function openPod(pod: string): Promise<{ page: Page; lines: Locator }> {
  const page = await context.newPage();
  await page.goto(`${stack.logs.url}/?namespace=default&pod=${pod}`);
  return { page, lines: page.getByRole('log', { name: 'Log lines' }) };
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => `line ${from + index}`);

test.serial('100,000 lines: a bounded number of rows in the page, every line reachable and downloaded', async (t) => {
  const lines = numbered(1, 100_000);
  stack.writeLog(
    'default',
    'big',
    'main',
    '0.log',
    lines.map((line, index) => cri(at(index / 100), line)),
  );
  const { page, lines: log } = await openPod('big');
  await page.getByLabel('Lines', { exact: true }).selectOption({ label: 'last 100,000' });
  await page.getByText(`${count(100_000)} lines`).waitFor({ timeout: 30_000 });
  await log.getByText('line 100000', { exact: true }).waitFor();
  t.true((await log.locator('.row').count()) < 150);

  await log.focus();
  await page.keyboard.press('Home');
  await t.notThrowsAsync(log.getByText('line 1', { exact: true }).waitFor());
  t.true((await log.locator('.row').count()) < 150);
  t.is(await page.getByRole('button', { name: 'Resume' }).count(), 1, 'scrolled up, the view pauses');

  t.deepEqual(await downloadedLines(page), lines);
  await page.close();
});

test.serial('a follow of 1,000 lines a second for 10 s: every line arrives once, in order', async (t) => {
  const path = stack.writeLog('default', 'fast', 'main', '0.log', [cri(at(0), 'line 0')]);
  const { page, lines: log } = await openPod('fast');
  await page.getByText('Live', { exact: true }).waitFor();
  let written = 0;
  const started = Date.now();
  while (written < 10_000) {
    const due = Math.min(10_000, Math.floor((Date.now() - started) / 50 + 1) * 50);
    const batch = [];
    for (let next = written + 1; next <= due; next += 1) batch.push(cri(at(next / 1000), `line ${next}`));
    stack.appendLog(path, batch);
    written = due;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await page.getByText(`${count(10_001)} lines`).waitFor({ timeout: 15_000 });
  await t.notThrowsAsync(log.getByText('line 10000', { exact: true }).waitFor());
  t.true((await log.locator('.row').count()) < 150);
  t.deepEqual(await downloadedLines(page), numbered(0, 10_000));
  await page.close();
});
