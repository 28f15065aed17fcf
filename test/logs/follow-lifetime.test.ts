import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import test from 'ava';
import { logsConfig } from '../../logs-app/config.js';
import { startLogsService } from '../../logs-app/service.js';
import { testServiceToken } from '../helpers/auth.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const hopByHop = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/**
 * auth-app behind a relay that holds every call `delayMs` and counts the validation calls (a validation stays in
 * flight), and the checks each carries. It reads each answer whole, so the change feed never gets through: behind
 * it, logs-app asks auth-app for every check, as with the feed down.
 */
async function slowAuth(authUrl: string, delayMs: number) {
  let calls = 0;
  const checksPerCall: number[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.url === '/auth/validate/batch') {
      calls += 1;
      checksPerCall.push((JSON.parse(Buffer.concat(chunks).toString()) as { checks: unknown[] }).checks.length);
    }
    await pause(delayMs);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && !hopByHop.has(entry[0]),
      ),
    );
    const answer = await fetch(authUrl + (request.url ?? '/'), {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    response.end(await answer.text());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    checksPerCall,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Sends a request on a raw connection, as a client that may leave at any moment or never read. */
async function rawConnection(baseUrl: string, path: string, token: string): Promise<Socket> {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  return socket;
}

const auditLines = (stack: TestStack, pod: string) =>
  stack.logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.audit === 'log-access' && entry.pod === pod);

async function until(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await pause(20);
  return done();
}

test('a follow whose client leaves while its session is being checked stops checking, and is recorded', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const slow = await slowAuth(stack.auth.url, 300);
  t.teardown(() => slow.close());
  const lines: string[] = [];
  const logs = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_DIR: stack.podsDir,
      LOGS_AUTH_URL: slow.url,
      LOGS_SERVICE_TOKEN: testServiceToken,
      LOGS_FOLLOW_RECHECK_MS: '100',
      LOGS_FOLLOW_POLL_MS: '50',
    }),
    { logDestination: { write: (line: string) => void lines.push(line) } },
  );
  t.teardown(() => logs.stop());
  stack.writeLog('default', 'abandoned', 'main', '0.log', [cri(at(0), 'hello')]);
  const token = await stack.tokenFor('alice', ['logs:read']);
  for (let index = 0; index < 5; index += 1) {
    const socket = await rawConnection(logs.url, '/logs/abandoned?follow=true', token);
    await pause(30);
    socket.destroy();
  }
  t.true(await until(() => lines.filter((line) => line.includes('"outcome":"client-left"')).length === 5));
  const settled = slow.calls();
  await pause(800);
  t.is(slow.calls(), settled, 'no session is asked about again once its follow is gone');
  t.true(settled <= 5, `${settled} calls for 5 abandoned follows`);
});

test('the sessions of follows begun at different times are asked again on one tick, in one auth-app call', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const relay = await slowAuth(stack.auth.url, 0);
  t.teardown(() => relay.close());
  const logs = await startLogsService(
    logsConfig({
      LOGS_PORT: '0',
      LOGS_DIR: stack.podsDir,
      LOGS_AUTH_URL: relay.url,
      LOGS_SERVICE_TOKEN: testServiceToken,
      LOGS_FOLLOW_RECHECK_MS: '1000',
    }),
    { logDestination: { write: () => {} } },
  );
  t.teardown(() => logs.stop());
  stack.writeLog('default', 'watched', 'main', '0.log', [cri(at(0), 'hello')]);
  const sessions = 4;
  const tokens = await Promise.all(
    Array.from({ length: sessions }, (_, index) => stack.tokenFor(`reader-${index}`, ['logs:read'])),
  );
  const sockets: Socket[] = [];
  for (const token of tokens) {
    sockets.push(await rawConnection(logs.url, '/logs/watched?follow=true', token));
    await pause(100);
  }
  t.teardown(() => sockets.forEach((socket) => socket.destroy()));
  t.true(await until(() => relay.checksPerCall.length >= sessions + 2, 4000));
  const rechecks = relay.checksPerCall.slice(sessions);
  t.deepEqual(rechecks.slice(0, 2), [sessions, sessions], `checks a call, admissions first: ${relay.checksPerCall}`);
});

let stack: TestStack;
test.before(async () => {
  stack = await startStack({
    LOGS_MAX_FOLLOWS: '3',
    LOGS_MAX_FOLLOWS_PER_SESSION: '2',
    LOGS_WRITE_TIMEOUT_MS: '300',
  });
});
test.after.always(() => stack.stop());

test.serial(
  'followed logs are limited per session (429) and per process (503), and a slot frees when one ends',
  async (t) => {
    stack.writeLog('default', 'busy', 'main', '0.log', [cri(at(0), 'hello')]);
    const first = await stack.tokenFor('limited', ['logs:read']);
    const second = await stack.tokenFor('other', ['logs:read']);
    const open = async (token: string) => {
      const abort = new AbortController();
      const response = await fetch(`${stack.logs.url}/logs/busy?follow=true`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(10_000)]),
      });
      return { status: response.status, body: response, close: () => abort.abort() };
    };
    const held = [await open(first), await open(first)];
    t.deepEqual(
      held.map((each) => each.status),
      [200, 200],
    );
    const overSession = await open(first);
    t.is(overSession.status, 429);
    t.regex(await overSession.body.text(), /at most 2 logs at once/);
    held.push(await open(second));
    const overProcess = await open(second);
    t.is(overProcess.status, 503);
    t.truthy(overProcess.body.headers.get('retry-after'));
    held.push(overSession, overProcess);
    t.is((await stack.request('/logs/busy', { token: first })).status, 200, 'a plain read is not a follow');
    held[0]!.close();
    t.true(await until(() => auditLines(stack, 'busy').some((line) => line.outcome === 'client-left')));
    const again = await open(first);
    t.is(again.status, 200);
    for (const each of [...held, again]) each.close();
  },
);

test.serial('a follow sends its headers at once, before any line is written', async (t) => {
  stack.writeLog('default', 'quiet', 'main', '0.log', []);
  const token = await stack.tokenFor('waiting', ['logs:read']);
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const response = await Promise.race([
    fetch(`${stack.logs.url}/logs/quiet?follow=true`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    }),
    pause(2000).then(() => undefined),
  ]);
  t.is(response?.status, 200);
  t.is(response?.headers.get('content-type'), 'text/plain; charset=utf-8');
});

test.serial(
  'a client that takes nothing of a long answer is cut off after the write timeout, and recorded',
  async (t) => {
    const line = 'x'.repeat(1000);
    stack.writeLog(
      'default',
      'long',
      'main',
      '0.log',
      Array.from({ length: 8000 }, (_, index) => cri(at(index), line)),
    );
    const token = await stack.tokenFor('stalled', ['logs:read']);
    const socket = await rawConnection(stack.logs.url, '/logs/long', token);
    socket.pause();
    t.true(await until(() => auditLines(stack, 'long').some((entry) => entry.outcome === 'client-too-slow')));
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    await once(socket, 'close');
    t.true(received < 8000 * 1000, `logs-app let go of the connection after ${received} bytes`);
  },
);

const resources = (kind: string) => process.getActiveResourcesInfo().filter((each) => each === kind).length;

test('followers of one file share one watch and one poll; they wake only when it changes', async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const path = stack.writeLog('default', 'popular', 'main', '0.log', [cri(at(0), 'first')]);
  const many = await Promise.all(
    Array.from({ length: 12 }, (_, index) => stack.tokenFor(`watcher${index}`, ['logs:read'])),
  );
  const before = { watches: resources('FSEventWrap'), timers: resources('Timeout') };
  const followers = await Promise.all(
    many
      .flatMap((token) => [token, token])
      .map(async (token) => {
        const abort = new AbortController();
        const response = await fetch(`${stack.logs.url}/logs/popular?follow=true`, {
          headers: { authorization: `Bearer ${token}` },
          signal: abort.signal,
        });
        return { reader: response.body!.getReader(), close: () => abort.abort() };
      }),
  );
  await pause(200);
  const watches = resources('FSEventWrap') - before.watches;
  const timers = resources('Timeout') - before.timers;
  t.true(watches <= 2, `${watches} new watches for 24 follows of one file`);
  t.true(timers <= 12 + 2, `${timers} new timers for 24 follows of one file by 12 sessions`);
  stack.appendLog(path, [cri(at(1), 'second')]);
  const decoder = new TextDecoder();
  for (const { reader } of followers) {
    let text = '';
    while (!text.includes('second')) text += decoder.decode((await reader.read()).value);
    t.is(text, 'first\nsecond\n');
  }
  for (const follower of followers) follower.close();
});

test('past LOGS_MAX_CONNECTIONS a request is answered 503 and its connection closed; a freed one lets the next in', async (t) => {
  const stack = await startStack({ LOGS_MAX_CONNECTIONS: '3' });
  t.teardown(() => stack.stop());
  const url = new URL(stack.logs.url);
  const held = await Promise.all(
    Array.from({ length: 3 }, async () => {
      const socket = connect(Number(url.port), url.hostname);
      await once(socket, 'connect');
      return socket;
    }),
  );
  await pause(100);
  const ask = async () => {
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await Promise.race([once(socket, 'close'), pause(1000)]);
    socket.destroy();
    return text;
  };
  const refused = await ask();
  t.regex(refused, /^HTTP\/1\.1 503/);
  t.regex(refused, /connection: close/i);
  t.regex(refused, /application\/problem\+json/);
  held[0]!.destroy();
  await pause(100);
  t.regex(await ask(), /^HTTP\/1\.1 200/);
  for (const socket of held) socket.destroy();
});
