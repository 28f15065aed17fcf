import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it. Missing, the browser tests fail: a skipped check would pass unseen. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(executablePath = chromiumPath): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  // As root (CI) Chromium refuses its sandbox; the pages it opens here are the product's own on loopback.
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/**
 * Numbered screenshots of a journey's steps, kept (after the test, to be looked at) in a temp directory of their
 * own, whose path is printed once.
 */
export function screenshots(journey: string): (page: Page, step: string) => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `pod-logs-${journey}-`));
  process.stdout.write(`screenshots of ${journey}: ${dir}\n`);
  let taken = 0;
  return async (page, step) => {
    taken += 1;
    await page.screenshot({ path: join(dir, `${String(taken).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
}

/** Fills auth-app's sign-in form as a person would: by the fields' labels. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The viewer's "Download", as the file the browser saved: its lines. */
export async function downloadedLines(page: Page): Promise<string[]> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download' }).click();
  return readFileSync(await (await download).path(), 'utf8')
    .split('\n')
    .slice(0, -1);
}
