import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { gzipBomb } from '../helpers/archives.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;
let cacheDir: string;
test.before(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'gzip-cache-'));
  stack = await startStack({ LOGS_GZIP_CACHE_DIR: cacheDir });
  token = await stack.tokenFor('reader', ['logs:read']);
});
test.after.always(async () => {
  await stack.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

const warnings = (name: string) =>
  stack.logLines.filter((line) => line.includes('"level":40') && line.includes(name)).length;

test.serial('a gzip bomb is decompressed off the event loop, left out, and remembered', async (t) => {
  stack.writeLog('default', 'bombed', 'main', '0.log', [cri(at(1), 'live line')]);
  const rotated = join(stack.containerDir('default', 'bombed', 'main'), '0.log.20260301-100001.gz');
  await gzipBomb(rotated, 300);
  const finished: string[] = [];
  const log = stack.request('/logs/bombed', { token }).then((response) => {
    finished.push('log');
    return response;
  });
  await new Promise((resolve) => setTimeout(resolve, 40));
  const health = await fetch(`${stack.logs.url}/healthz`).then((response) => {
    finished.push('healthz');
    return response.status;
  });
  const answer = await log;
  t.is(health, 200);
  t.deepEqual(finished, ['healthz', 'log'], '/healthz was answered while the bomb was being decompressed');
  t.is(answer.status, 200);
  t.deepEqual((answer.json as { lines: string[] }).lines, ['live line']);
  t.is(warnings('0.log.20260301-100001.gz'), 1);
  const again = Date.now();
  t.is((await stack.request('/logs/bombed', { token })).status, 200);
  t.true(Date.now() - again < 200, 'the refused file is not decompressed again');
  t.is(warnings('0.log.20260301-100001.gz'), 1, 'nor warned of again');
});

test.serial('a tail the live file can answer never decompresses a rotated file', async (t) => {
  stack.writeLog('default', 'tailed', 'main', '0.log', [cri(at(2), 'two'), cri(at(3), 'three')]);
  writeFileSync(join(stack.containerDir('default', 'tailed', 'main'), '0.log.20260301-100001.gz'), 'not gzip');
  const response = await stack.request('/logs/tailed?tailLines=2', { token });
  t.deepEqual((response.json as { lines: string[] }).lines, ['two', 'three']);
  t.is(warnings('tailed'), 0);
  const whole = await stack.request('/logs/tailed', { token });
  t.deepEqual((whole.json as { lines: string[] }).lines, ['two', 'three']);
  t.is(warnings('tailed'), 1, 'the whole log reaches it');
});

test.serial('readers of one rotated file share one decompressed copy, private to logs-app', async (t) => {
  stack.writeLog('default', 'shared', 'main', '0.log', [cri(at(9), 'live')]);
  const lines = Array.from({ length: 2000 }, (_, index) => cri(at(index), `rotated ${index}`));
  writeFileSync(
    join(stack.containerDir('default', 'shared', 'main'), '0.log.20260301-100001.gz'),
    gzipSync(`${lines.join('\n')}\n`),
  );
  const answers = await Promise.all(
    Array.from({ length: 4 }, () => stack.request('/logs/shared?tailLines=3', { token })),
  );
  for (const answer of answers)
    t.deepEqual((answer.json as { lines: string[] }).lines, ['rotated 1998', 'rotated 1999', 'live']);
  const [own] = readdirSync(cacheDir);
  const copies = readdirSync(join(cacheDir, own!));
  t.is(copies.length, 1, 'one copy for four readers');
  t.is(statSync(join(cacheDir, own!)).mode & 0o777, 0o700);
  t.is(statSync(join(cacheDir, own!, copies[0]!)).mode & 0o777, 0o600);
});

test('when the copy cannot be written (no such cache directory) the archive is left out, said why, and tried again', async (t) => {
  const own = await startStack({ LOGS_GZIP_CACHE_DIR: '/nonexistent-gzip-cache' });
  t.teardown(() => own.stop());
  const reader = await own.tokenFor('reader', ['logs:read']);
  own.writeLog('default', 'uncached', 'main', '0.log', [cri(at(9), 'live')]);
  writeFileSync(
    join(own.containerDir('default', 'uncached', 'main'), '0.log.20260301-100001.gz'),
    gzipSync(`${cri(at(0), 'rotated')}\n`),
  );
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const response = await own.request('/logs/uncached', { token: reader });
    t.is(response.status, 200);
    t.deepEqual((response.json as { lines: string[] }).lines, ['live']);
  }
  const said = own.logLines.filter((line) => line.includes('cannot be written under /nonexistent-gzip-cache'));
  t.is(said.length, 2, "not remembered as the file's fault");
});
