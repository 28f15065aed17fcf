import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { downloadedLines, launchBrowser } from '../test/helpers/browser.js';
import { ms, report } from './report.js';
import type { Bench } from './scenarios.js';

const probeScript = readFileSync(new URL('viewer-probe.js', import.meta.url), 'utf8');
const bigLines = 100_000;
const linesPerSecond = 1000;
/** As the issue asks: a minute of a fast log. */
const followSeconds = 60;

const criLine = (timeMs: number, text: string) =>
  `${new Date(timeMs).toISOString().replace('Z', '000000Z')} stdout F ${text}\n`;

function podLog(bench: Bench, pod: string, content: string): string {
  const dir = join(bench.pods, `default_${pod}_bench-uid`, 'app');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '0.log');
  writeFileSync(file, content);
  return file;
}

interface Smoothness {
  framesPerSecond: number;
  longestTaskMs: number;
  /** How late a 50 ms timer fired at worst: what a key press would wait for. */
  worstTimerLagMs: number;
  maxRows: number;
}

type Probe = Omit<Smoothness, 'framesPerSecond'> & { frames: number };

/** Frames, long tasks, timer lag and DOM rows in the page while `during` runs. */
async function smoothness(page: Page, during: () => Promise<void>): Promise<Smoothness> {
  await page.evaluate(probeScript);
  const started = Date.now();
  await during();
  const elapsedSeconds = (Date.now() - started) / 1000;
  const { frames, ...probe } = (await page.evaluate(
    '({ ...window.probe, running: (window.probe.running = false) })',
  )) as Probe;
  return { ...probe, framesPerSecond: frames / elapsedSeconds };
}

/** Writes `linesPerSecond` to `file` for `seconds`, in 50 ms batches, numbered from 1. */
async function fastWriter(file: string, seconds: number): Promise<number> {
  const started = Date.now();
  let written = 0;
  const total = linesPerSecond * seconds;
  while (written < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * linesPerSecond) / 1000));
    let batch = '';
    for (let next = written + 1; next <= due; next += 1) batch += criLine(Date.now(), `fast line ${next}`);
    if (batch) appendFileSync(file, batch);
    written = Math.max(written, due);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return written;
}

/** Scenario 11: the log viewer in Chromium with 100,000 lines, and following 1,000 lines a second for a minute. */
export async function viewerSmoothness(bench: Bench): Promise<void> {
  const startMs = Date.now() - bigLines;
  let big = '';
  for (let index = 1; index <= bigLines; index += 1) big += criLine(startMs + index, `big line ${index}`);
  podLog(bench, 'viewer-big', big);
  const fastFile = podLog(bench, 'viewer-fast', criLine(Date.now(), 'fast line 0'));
  const token = (bench.headers.authorization ?? '').replace('Bearer ', '');

  const fetchStarted = performance.now();
  const raw = await fetch(`${bench.logs.url}/logs/viewer-big?tailLines=${bigLines}`, {
    headers: { ...bench.headers, accept: 'application/x-ndjson' },
  });
  await raw.text();
  const fetchMs = performance.now() - fetchStarted;

  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'pod-logs-session', value: token, url: bench.logs.url, httpOnly: true }]);
    const page = await context.newPage();
    await page.goto(`${bench.logs.url}/?namespace=default&pod=viewer-big`);
    await page.getByText('1,000 lines').waitFor();
    const shownStarted = performance.now();
    await page.getByLabel('Lines', { exact: true }).selectOption({ label: 'last 100,000' });
    await page.getByText('100,000 lines').waitFor({ timeout: 60_000 });
    await page.getByText(`big line ${bigLines}`, { exact: true }).waitFor();
    const shownMs = performance.now() - shownStarted;
    report(
      '11 viewer, 100,000 lines on screen',
      ms(shownMs),
      `the same NDJSON fetched by Node ${ms(fetchMs)}`,
      shownMs / fetchMs,
      '<= 3.00x',
      shownMs <= 3 * fetchMs,
    );

    await page.goto(`${bench.logs.url}/?namespace=default&pod=viewer-fast`);
    await page.getByText('Live', { exact: true }).waitFor();
    const idle = await smoothness(page, () => new Promise((resolve) => setTimeout(resolve, 5000)));
    let written = 0;
    const busy = await smoothness(page, async () => {
      written = await fastWriter(fastFile, followSeconds);
      await page.getByText(`${(written + 1).toLocaleString('en')} lines`).waitFor({ timeout: 30_000 });
    });
    const downloaded = await downloadedLines(page);
    const whole = downloaded.length === written + 1 && downloaded.every((line, index) => line === `fast line ${index}`);
    const title = `11 viewer, ${linesPerSecond} lines/s ${followSeconds} s`;
    report(
      `${title}: frames`,
      `${Math.round(busy.framesPerSecond)} fps`,
      `idle follow ${Math.round(idle.framesPerSecond)} fps`,
      busy.framesPerSecond / idle.framesPerSecond,
      '>= 0.80x',
      busy.framesPerSecond >= 0.8 * idle.framesPerSecond,
    );
    report(
      `${title}: longest task`,
      busy.longestTaskMs === 0 ? 'none over 50 ms' : ms(busy.longestTaskMs),
      'target 200 ms',
      busy.longestTaskMs / 200,
      '< 1.00x',
      busy.longestTaskMs < 200,
    );
    report(
      `${title}: timer lag, worst`,
      ms(busy.worstTimerLagMs),
      `idle ${ms(idle.worstTimerLagMs)}`,
      busy.worstTimerLagMs / Math.max(idle.worstTimerLagMs, 1),
      'info',
      true,
    );
    report(
      `${title}: rows in the DOM, most`,
      `${busy.maxRows} rows`,
      `${(written + 1).toLocaleString('en')} lines`,
      busy.maxRows / (written + 1),
      'bounded',
      busy.maxRows < 150,
    );
    report(
      `${title}: lines downloaded`,
      `${downloaded.length.toLocaleString('en')}${whole ? ', in order' : ', NOT all in order'}`,
      `${(written + 1).toLocaleString('en')} written`,
      downloaded.length / (written + 1),
      '= 1.00x',
      whole,
    );
  } finally {
    await browser.close();
  }
}
