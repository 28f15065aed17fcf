import test from 'ava';
import { fc } from '@fast-check/ava';
import { connectSqlite } from '../../auth-app/store/sqlite-connection.js';
import { measure } from '../helpers/load.js';
import { assertMatchesSpec } from '../helpers/contract.js';
import { rawRequest } from '../helpers/http.js';
import {
  abandonedFollows,
  describeAbandoned,
  describeEndless,
  describeGzip,
  describeQuiet,
  newlineLess,
  quietFollows,
  rotatedArchives,
} from './hardening.js';
import { authRequests, logsRequests, type HostileRequest } from './hostile.js';
import { canary, password, ReliabilityStack } from './stack.js';

/** `npm test` runs a short version; `npm run test:reliability` sets RELIABILITY_SECONDS=60. */
const seconds = Number(process.env.RELIABILITY_SECONDS ?? 3);
const hostileRuns = seconds >= 30 ? 2000 : 150;
const long = seconds >= 30;
const summary = { requests: 0, errors: 0, faults: 0, sessionsLost: 0 };
/** The hardening cases' figures, each a phrase of the summary. */
const figures: string[] = [];
const stack = new ReliabilityStack();
const issued: string[] = [];

test.before(async () => {
  await stack.start();
});
test.after.always(async () => {
  await stack.stop();
  process.stdout.write(
    `reliability summary: ${summary.requests} requests sent, ${summary.errors} errors, ${summary.faults} faults injected, ${summary.sessionsLost} sessions lost${figures.map((figure) => `; ${figure}`).join('')}\n`,
  );
});

async function token(): Promise<string> {
  const { status, token: value } = await stack.login();
  if (status !== 200 || !value) throw new Error(`login answered ${status}`);
  issued.push(value);
  return value;
}

test.serial(`load: 50 connections for ${seconds} s on authenticated /logs, no errors and no non-2xx`, async (t) => {
  const result = await measure({
    url: `${stack.logs.url}/logs/app?tailLines=10`,
    connections: 50,
    seconds,
    headers: { authorization: `Bearer ${await token()}` },
  });
  summary.requests += result.requests;
  summary.errors += result.errors + result.non2xx;
  t.true(result.requests > 0);
  t.is(result.errors, 0);
  t.is(result.non2xx, 0);
});

test.serial(
  'SIGKILL auth-app under load: 503, never a 200 for an unchecked token, then the same tokens work again',
  async (t) => {
    const valid = await token();
    const revoked = await token();
    await fetch(`${stack.auth.url}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${revoked}` } });
    const load = measure({
      url: `${stack.logs.url}/logs/app?tailLines=10`,
      connections: 20,
      seconds: seconds + 2,
      headers: { authorization: `Bearer ${valid}` },
    });
    await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 2));
    await stack.killAuth();
    summary.faults += 1;
    const during = await rawRequest(stack.logs.url, {
      path: '/logs/app',
      headers: { authorization: `Bearer ${valid}` },
    });
    const unchecked = await rawRequest(stack.logs.url, {
      path: '/logs/app',
      headers: { authorization: `Bearer ${revoked}` },
    });
    t.is(during.status, 503);
    t.is(unchecked.status, 503);
    await stack.startAuth();
    const result = await load;
    summary.requests += result.requests + 2;
    t.is(result.errors, 0, 'logs-app never dropped a connection');
    t.true(result.requests > 0);
    t.is(
      (await rawRequest(stack.logs.url, { path: '/logs/app', headers: { authorization: `Bearer ${valid}` } })).status,
      200,
    );
    t.is(
      (await rawRequest(stack.logs.url, { path: '/logs/app', headers: { authorization: `Bearer ${revoked}` } })).status,
      401,
    );
    t.is((await rawRequest(stack.logs.url, { path: '/healthz' })).status, 200);
  },
);

test.serial(
  'SIGKILL auth-app during 100 concurrent logins: intact database, every 200 has a live session',
  async (t) => {
    /** From 100 addresses, as 100 people would: attempts being checked count against their address's limit. */
    const attempts = Array.from({ length: 100 }, (_, index) =>
      stack.login('reader', `10.8.${index}.1`).catch(() => ({ status: 0, token: undefined })),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    await stack.killAuth();
    summary.faults += 1;
    const results = await Promise.all(attempts);
    summary.requests += results.length;
    const granted = results.filter((result) => result.status === 200).map((result) => result.token!);
    const database = connectSqlite(stack.databaseUrl.replace(/^sqlite:/, ''), { readonly: true });
    t.is((database.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    database.close();
    await stack.startAuth();
    let lost = 0;
    for (const value of granted) {
      issued.push(value);
      const response = await fetch(`${stack.auth.url}/auth/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${value}`, 'x-service-token': stack.serviceToken },
      });
      if (response.status !== 200) lost += 1;
    }
    summary.sessionsLost += lost;
    t.log(`${granted.length} of 100 logins answered 200 before the kill`);
    t.is(lost, 0);
  },
);

async function survives(request: HostileRequest, baseUrl: string): Promise<boolean> {
  const response = await rawRequest(baseUrl, request);
  summary.requests += 1;
  if (response.status >= 500 && response.status !== 503) summary.errors += 1;
  if (response.status >= 500)
    throw new Error(`${request.method} ${request.path} answered ${response.status}: ${response.text}`);
  if (response.text.includes(canary)) throw new Error(`${request.path} leaked a file outside the log directory`);
  const json =
    response.contentType.includes('json') && !response.contentType.includes('ndjson') && response.text
      ? (JSON.parse(response.text) as unknown)
      : undefined;
  await assertMatchesSpec(request.spec, request.method, request.path.split('?')[0] ?? request.path, {
    ...response,
    headers: new Headers(),
    json,
  });
  return true;
}

test.serial(
  'hostile input generated from the specs: no 5xx, no crash, nothing outside the log directory, every answer in the spec',
  async (t) => {
    const valid = await token();
    const withToken = ({ headers, ...request }: HostileRequest): HostileRequest => ({
      ...request,
      headers: {
        ...headers,
        ...(headers.authorization === 'Bearer x' && { authorization: `Bearer ${valid}` }),
        ...(headers['x-service-token'] === 'service' && { 'x-service-token': stack.serviceToken }),
      },
    });
    await fc.assert(
      fc.asyncProperty(logsRequests, (request) => survives(withToken(request), stack.logs.url)),
      { numRuns: hostileRuns },
    );
    await fc.assert(
      fc.asyncProperty(authRequests, (request) => survives(withToken(request), stack.auth.url)),
      { numRuns: hostileRuns },
    );
    t.is((await rawRequest(stack.logs.url, { path: '/healthz' })).status, 200);
    t.is((await rawRequest(stack.auth.url, { path: '/healthz' })).status, 200);
    t.is(stack.logs.child.exitCode, null);
  },
);

const loginStatus = (username: string, address: string, secret: string) =>
  fetch(`${stack.auth.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password: secret }),
  }).then((response) => response.status);

test.serial(
  'brute force: failures past the limit get 429; the same user from another address still logs in',
  async (t) => {
    const attempt = (address: string, secret: string) => loginStatus('victim', address, secret);
    for (let index = 0; index < 5; index += 1) t.is(await attempt('203.0.113.7', `guess-${index}`), 401);
    t.is(await attempt('203.0.113.7', `guess-more`), 429);
    t.is(await attempt('203.0.113.7', password), 429);
    t.is(await attempt('198.51.100.2', password), 200);
    summary.requests += 8;
  },
);

test.serial(
  'the login burst: of 200 wrong passwords sent at once from one address at most 5 reach Argon2, and the owner still logs in from another',
  async (t) => {
    const attacker = '203.0.113.66';
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, index) => loginStatus('owner', attacker, `burst guess ${index}`)),
    );
    summary.requests += statuses.length + 1;
    const outcomes = await stack.loginOutcomes('owner', attacker, statuses.length);
    const burst = { sent: statuses.length, tried: outcomes.failure ?? 0, throttled: outcomes.throttled ?? 0 };
    figures.push(`login burst: ${burst.sent} sent, ${burst.tried} tried, ${burst.throttled} throttled`);
    t.log(figures.at(-1));
    t.true(burst.tried <= 5);
    t.is(burst.tried + burst.throttled, burst.sent);
    t.is(statuses.filter((status) => status === 429).length, burst.throttled);
    t.is(await loginStatus('owner', '198.51.100.66', password), 200);
  },
);

test.serial('abandoned follows: each recorded, none of their sessions checked again, memory back', async (t) => {
  const result = await abandonedFollows(stack, long ? 20_000 : 2000);
  figures.push(describeAbandoned(result));
  summary.requests += result.sent;
  t.log(describeAbandoned(result));
  t.is(result.recorded, result.sent, 'an audit line for each');
  t.is(result.checksAfter, 0, 'no session is asked about once its follow is gone');
});

test.serial('quiet follows: every one answered at once and handed the next line; nothing left held', async (t) => {
  const count = long ? 10_000 : 1000;
  const result = await quietFollows(stack, count, long ? 10 : 3);
  figures.push(describeQuiet(result));
  summary.requests += count;
  t.log(describeQuiet(result));
  t.is(result.failed, 0);
  t.is(result.deliveredShare, 1, 'every follower got the appended line');
  t.true(result.fdsLeft < 50, `${result.fdsLeft} descriptors left after the followers went`);
});

test.serial('rotated archives: read by four at once off the event loop; a bomb refused once', async (t) => {
  const result = await rotatedArchives(stack, await token(), long ? 250 : 16);
  figures.push(describeGzip(result));
  summary.requests += 6;
  t.log(describeGzip(result));
  t.true(result.sameAnswers, 'the four readers got the same, whole answer');
});

test.serial('a newline-less log: tails hold at most one bounded line', async (t) => {
  const result = await newlineLess(stack, await token(), long ? 100 : 24);
  figures.push(describeEndless(result));
  summary.requests += 3;
  t.log(describeEndless(result));
  t.true(result.longestLineBytes <= 8 * 1024 * 1024);
});

test.serial('secrets: neither the database nor any log line holds a token or the password in plain text', async (t) => {
  await stack.logs.stop();
  await stack.auth.stop();
  t.true(issued.length > 0);
  const secrets = issued.map((value) => value.split('.')[1]!);
  const { found, bytes } = stack.written(secrets, [password]);
  t.true(bytes > 0);
  t.deepEqual(found, [], 'a token secret (so a whole token) or the password');
});
