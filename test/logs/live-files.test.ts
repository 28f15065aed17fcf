import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { LiveFiles } from '../../logs-app/sources/live-files.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('timers still run while a followed file changes faster than its followers keep up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'live-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, '0.log');
  writeFileSync(path, '');
  const live = new LiveFiles(60_000);
  t.teardown(() => live.close());
  const watch = live.follow({ containerDir: dir, path, ended: () => false });
  const stop = new AbortController();
  let wakes = 0;
  const follower = (async () => {
    while (!stop.signal.aborted) {
      await watch.changed(stop.signal);
      wakes += 1;
      /** What many followers reading and sending cost, more than the time between two writes. */
      const busyUntil = performance.now() + 30;
      while (performance.now() < busyUntil);
    }
  })();
  const writer = spawn(process.execPath, [
    '-e',
    `const fs = require('node:fs'); const fd = fs.openSync(${JSON.stringify(path)}, 'a');
     setInterval(() => fs.writeSync(fd, 'a line\\n'), 5); setTimeout(() => process.exit(0), 3000);`,
  ]);
  t.teardown(() => writer.kill());
  let latestTick = performance.now();
  let longestGapMs = 0;
  const ticking = setInterval(() => {
    longestGapMs = Math.max(longestGapMs, performance.now() - latestTick);
    latestTick = performance.now();
  }, 50);
  await pause(1500);
  clearInterval(ticking);
  stop.abort();
  watch.close();
  await follower;
  t.true(wakes > 5, `${wakes} wakes`);
  t.true(longestGapMs < 500, `a 50 ms timer waited ${Math.round(longestGapMs)} ms`);
});
