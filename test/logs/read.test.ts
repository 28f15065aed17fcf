import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdirSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;
const lines = Array.from({ length: 20 }, (_, index) => cri(at(index), `line ${index}`));

test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read:default', 'logs:read:team-a']);
  stack.writeLog('default', 'app', 'main', '0.log', lines);
  stack.writeLog('default', 'multi', 'web', '0.log', [cri(at(0), 'web says hi')]);
  stack.writeLog('default', 'multi', 'sidecar', '0.log', [cri(at(0), 'sidecar says hi')]);
  stack.writeLog('default', 'restarted', 'main', '0.log', [
    cri(at(0), 'first run'),
    cri(at(1), 'crashed', 'F', 'stderr'),
  ]);
  stack.writeLog('default', 'restarted', 'main', '1.log', [cri(at(2), 'second run')]);
  stack.writeLog('team-a', 'worker', 'worker', '0.log', [cri(at(0), 'team-a work')]);
});
test.after.always(() => stack.stop());

interface PodLogs {
  status: string;
  namespace: string;
  pod: string;
  container: string;
  user: string;
  lines: string[];
}

const read = async (path: string, accept?: string) => {
  const response = await stack.request(path, { token, ...(accept ? { headers: { accept } } : {}) });
  return { response, body: response.json as PodLogs };
};

test('the default answer is JSON with the whole log of the only container', async (t) => {
  const { response, body } = await read('/logs/app');
  t.is(response.status, 200);
  t.is(body.status, 'success');
  t.is(body.namespace, 'default');
  t.is(body.pod, 'app');
  t.is(body.container, 'main');
  t.regex(body.user, /^reader/);
  t.deepEqual(
    body.lines,
    Array.from({ length: 20 }, (_, index) => `line ${index}`),
  );
});

test('Accept: text/plain gives the raw text like kubectl logs', async (t) => {
  const { response } = await read('/logs/app?tailLines=2', 'text/plain');
  t.is(response.contentType, 'text/plain');
  t.is(response.text, 'line 18\nline 19\n');
});

test('tailLines gives the last N lines; 0 gives none; more than there are gives all', async (t) => {
  t.deepEqual((await read('/logs/app?tailLines=3')).body.lines, ['line 17', 'line 18', 'line 19']);
  t.deepEqual((await read('/logs/app?tailLines=0')).body.lines, []);
  t.is((await read('/logs/app?tailLines=500')).body.lines.length, 20);
});

test('sinceTime gives the lines at or after it; sinceSeconds counts back from now', async (t) => {
  const since = encodeURIComponent(new Date(Date.parse(at(17)) - 0.1).toISOString());
  t.deepEqual((await read(`/logs/app?sinceTime=${since}`)).body.lines, ['line 17', 'line 18', 'line 19']);
  t.deepEqual((await read(`/logs/app?sinceSeconds=60`)).body.lines, [], 'the fixture lines are in the past');
  const both = await stack.request(`/logs/app?sinceSeconds=60&sinceTime=${since}`, { token });
  t.is(both.status, 400);
});

test('tailLines and sinceTime together: the later start wins', async (t) => {
  const since = encodeURIComponent(at(10).replace('123456Z', 'Z'));
  t.deepEqual((await read(`/logs/app?sinceTime=${since}&tailLines=2`)).body.lines, ['line 18', 'line 19']);
  t.is((await read(`/logs/app?sinceTime=${since}&tailLines=15`)).body.lines.length, 10);
});

test('timestamps prefix each line with its RFC 3339 time', async (t) => {
  const { body } = await read('/logs/app?tailLines=1&timestamps=true');
  t.deepEqual(body.lines, [`${at(19)} line 19`]);
});

test('limitBytes stops after N bytes, possibly inside a line', async (t) => {
  const { response } = await read('/logs/app?limitBytes=10', 'text/plain');
  t.is(response.text, 'line 0\nlin');
  t.deepEqual((await read('/logs/app?limitBytes=10')).body.lines, ['line 0', 'lin']);
});

test('NDJSON carries time, stream and line', async (t) => {
  const { response } = await read('/logs/restarted?previous=true', 'application/x-ndjson');
  t.is(response.contentType, 'application/x-ndjson');
  const objects = response.text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  t.deepEqual(objects, [
    { time: at(0), stream: 'stdout', line: 'first run' },
    { time: at(1), stream: 'stderr', line: 'crashed' },
  ]);
});

test('previous reads the prior restart; without one it is a 400', async (t) => {
  t.deepEqual((await read('/logs/restarted')).body.lines, ['second run']);
  t.deepEqual((await read('/logs/restarted?previous=true')).body.lines, ['first run', 'crashed']);
  const none = await stack.request('/logs/app?previous=true', { token });
  t.is(none.status, 400);
  t.regex((none.json as { detail: string }).detail, /previous terminated container/);
});

test('a pod with several containers needs one named, and lists them', async (t) => {
  const response = await stack.request('/logs/multi', { token });
  t.is(response.status, 400);
  t.deepEqual((response.json as { containers: string[] }).containers, ['sidecar', 'web']);
  t.deepEqual((await read('/logs/multi?container=sidecar')).body.lines, ['sidecar says hi']);
});

test('unknown pods and containers are 404', async (t) => {
  t.is((await stack.request('/logs/nope', { token })).status, 404);
  t.is((await stack.request('/logs/multi?container=nope', { token })).status, 404);
  t.is((await stack.request('/logs/app?namespace=team-a', { token })).status, 404);
});

test('another namespace is read with its own permission', async (t) => {
  t.deepEqual((await read('/logs/worker?namespace=team-a')).body.lines, ['team-a work']);
});

test('partial pieces are joined into one line carrying the first piece time, and tail counts joined lines', async (t) => {
  stack.writeLog('default', 'partial', 'main', '0.log', [
    cri(at(0), 'before'),
    cri(at(1), 'a very ', 'P'),
    cri(at(2), 'long ', 'P'),
    cri(at(3), 'line'),
    cri(at(4), 'after'),
  ]);
  t.deepEqual((await read('/logs/partial')).body.lines, ['before', 'a very long line', 'after']);
  t.deepEqual((await read('/logs/partial?tailLines=2&timestamps=true')).body.lines, [
    `${at(1)} a very long line`,
    `${at(4)} after`,
  ]);
});

test('Docker json-file lines and CRI-O local offsets are read too', async (t) => {
  stack.writeLog('default', 'docker', 'main', '0.log', [
    JSON.stringify({ log: 'docker one\n', stream: 'stdout', time: '2026-03-01T10:00:00.1Z' }),
    JSON.stringify({ log: 'docker ', stream: 'stderr', time: '2026-03-01T10:00:01.1Z' }),
    JSON.stringify({ log: 'two\n', stream: 'stderr', time: '2026-03-01T10:00:02.1Z' }),
  ]);
  t.deepEqual((await read('/logs/docker')).body.lines, ['docker one', 'docker two']);
  stack.writeLog('default', 'crio', 'main', '0.log', [
    '2026-03-01T12:00:00.000000000+02:00 stdout F at ten utc',
    '2026-03-01T12:00:05.000000000+02:00 stdout F five seconds later',
  ]);
  const since = encodeURIComponent('2026-03-01T10:00:03Z');
  t.deepEqual((await read(`/logs/crio?sinceTime=${since}`)).body.lines, ['five seconds later']);
});

test('rotated files, plain and gzipped, are read in order before the live one', async (t) => {
  const dir = stack.containerDir('default', 'rotated', 'main');
  stack.writeLog('default', 'rotated', 'main', '0.log', [cri(at(4), 'live 4'), cri(at(5), 'live 5')]);
  writeFileSync(join(dir, '0.log.20260301-100001.gz'), gzipSync(`${cri(at(0), 'gz 0')}\n${cri(at(1), 'gz 1')}\n`));
  writeFileSync(join(dir, '0.log.20260301-100003'), `${cri(at(2), 'plain 2')}\n${cri(at(3), 'plain 3')}\n`);
  t.deepEqual((await read('/logs/rotated')).body.lines, ['gz 0', 'gz 1', 'plain 2', 'plain 3', 'live 4', 'live 5']);
  t.deepEqual((await read('/logs/rotated?tailLines=3')).body.lines, ['plain 3', 'live 4', 'live 5']);
  const since = encodeURIComponent(at(1).replace('123456Z', 'Z'));
  t.deepEqual((await read(`/logs/rotated?sinceTime=${since}&tailLines=5`)).body.lines, [
    'gz 1',
    'plain 2',
    'plain 3',
    'live 4',
    'live 5',
  ]);
});

test('a rotated file that cannot be decompressed is left out with one warning naming it; the rest is read', async (t) => {
  const dir = stack.containerDir('default', 'damaged', 'main');
  stack.writeLog('default', 'damaged', 'main', '0.log', [cri(at(4), 'live 4')]);
  writeFileSync(join(dir, '0.log.20260301-100001.gz'), gzipSync(`${cri(at(0), 'gz 0')}\n`));
  writeFileSync(join(dir, '0.log.20260301-100002.gz'), gzipSync(`${cri(at(1), 'gz 1')}\n`).subarray(0, 20));
  writeFileSync(join(dir, '0.log.20260301-100003.gz'), 'not gzip at all');
  t.deepEqual((await read('/logs/damaged')).body.lines, ['gz 0', 'live 4']);
  const text = await read('/logs/damaged', 'text/plain');
  t.is(text.response.status, 200);
  t.is(text.response.text, 'gz 0\nlive 4\n');
  const warnings = (name: string) =>
    stack.logLines.filter(
      (line) => line.includes('"level":40') && line.includes(name) && line.includes('cannot be decompressed'),
    ).length;
  t.is(warnings('0.log.20260301-100002.gz'), 1, 'refused once, then remembered');
  t.is(warnings('0.log.20260301-100003.gz'), 1);
  t.is(warnings('0.log.20260301-100001.gz'), 0);
});

test('only files (or links to files) are logs: a directory, a link to one, a pipe, a dangling link so named are passed over', async (t) => {
  stack.writeLog('default', 'odd', 'main', '0.log', [cri(at(0), 'first run')]);
  const dir = stack.containerDir('default', 'odd', 'main');
  mkdirSync(join(dir, '1.log'));
  symlinkSync(tmpdir(), join(dir, '0.log.20260301-100001'));
  symlinkSync(join(dir, 'nowhere'), join(dir, '0.log.20260301-100002'));
  execFileSync('mkfifo', [join(dir, '0.log.20260301-100003')]);
  stack.writeLog('default', 'linked', 'main', '0.log.20260301-100001', [cri(at(0), 'rotated')]);
  symlinkSync(join(dir, 'nowhere'), join(stack.containerDir('default', 'linked', 'main'), '0.log'));
  t.deepEqual((await read('/logs/odd')).body.lines, ['first run']);
  t.is((await read('/logs/odd?previous=true')).response.status, 400);
  t.deepEqual((await read('/logs/linked')).body.lines, ['rotated']);
});

test('Accept of something else is a 406', async (t) => {
  t.is((await stack.request('/logs/app', { token, headers: { accept: 'image/png' } })).status, 406);
});

test('every request leaves one line, its audit record: user, session, namespace, pod, container, outcome, status', async (t) => {
  const offered = `audit-${randomUUID()}`;
  const response = await stack.request('/logs/worker?namespace=team-a', {
    token,
    headers: { 'x-request-id': offered },
  });
  t.is(response.status, 200);
  const lines = stack.logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.clientRequestId === offered);
  t.is(lines.length, 1);
  const [served] = lines;
  t.not(served?.requestId, offered, "the id is logs-app's own; the client's is logged beside it");
  t.is(response.headers.get('x-request-id'), String(served?.requestId));
  t.is(served?.audit, 'log-access');
  t.is(served?.outcome, 'served');
  t.is(served?.status, 200);
  t.is(served?.method, 'GET');
  t.is(served?.namespace, 'team-a');
  t.is(served?.container, 'worker');
  t.regex(String(served?.user), /^reader/);
  t.is(typeof served?.sessionId, 'string');
});

test('a pod that appears after a request is found at once, and a recreated pod is read from its newest directory', async (t) => {
  t.is((await stack.request('/logs/late', { token })).status, 404);
  const oldDir = join(stack.podsDir, 'default_late_old-uid', 'main');
  mkdirSync(oldDir, { recursive: true });
  writeFileSync(join(oldDir, '0.log'), `${cri(at(0), 'old pod')}\n`);
  t.deepEqual((await read('/logs/late')).body.lines, ['old pod']);
  utimesSync(join(stack.podsDir, 'default_late_old-uid'), new Date(0), new Date(0));
  const newDir = join(stack.podsDir, 'default_late_new-uid', 'main');
  mkdirSync(newDir, { recursive: true });
  writeFileSync(join(newDir, '0.log'), `${cri(at(1), 'new pod')}\n`);
  t.deepEqual((await read('/logs/late')).body.lines, ['new pod']);
});

test('a rotation after a request is read on the next one: the old file by its new name, then the new live file', async (t) => {
  const live = stack.writeLog('default', 'rotating', 'main', '0.log', [cri(at(0), 'before rotation')]);
  t.deepEqual((await read('/logs/rotating')).body.lines, ['before rotation']);
  renameSync(live, `${live}.20260301-100001`);
  writeFileSync(live, `${cri(at(1), 'after rotation')}\n`);
  t.deepEqual((await read('/logs/rotating')).body.lines, ['before rotation', 'after rotation']);
  stack.appendLog(live, [cri(at(2), 'appended')]);
  t.deepEqual((await read('/logs/rotating?tailLines=1')).body.lines, ['appended']);
});

test('a restart written after a request is the current instance on the next one', async (t) => {
  stack.writeLog('default', 'restarting', 'main', '0.log', [cri(at(0), 'first run')]);
  t.deepEqual((await read('/logs/restarting')).body.lines, ['first run']);
  stack.writeLog('default', 'restarting', 'main', '1.log', [cri(at(1), 'second run')]);
  t.deepEqual((await read('/logs/restarting')).body.lines, ['second run']);
  t.deepEqual((await read('/logs/restarting?previous=true')).body.lines, ['first run']);
});
