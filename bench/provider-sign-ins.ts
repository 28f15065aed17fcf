import { sessionCookieName } from '../common/session-cookie.js';
import { processUsage } from '../test/helpers/follow-load.js';
import { freePort } from '../test/helpers/http.js';
import type { LoadResult } from '../test/helpers/load.js';
import { startProvider, type TestAccount } from '../test/helpers/oidc-provider.js';
import { CookieJar, field, formBody } from '../test/helpers/pages.js';
import { startProcess } from '../test/helpers/services.js';
import { report, rps } from './report.js';
import { alternating, load, type Bench } from './scenarios.js';

const clientId = 'pod-logs-bench';
const clientSecret = 'oidc-client-secret-for-the-bench-0123456789';
const subject = 'subject-bench';
const sessionCookie = sessionCookieName(false, undefined);
/** The provider user's group maps to the local bench user's permission, so both validations answer alike. */
const accounts = new Map<string, TestAccount>([[subject, { username: 'bench-oidc', groups: ['ops'] }]]);

/**
 * A browser without pages: one cookie jar an origin, redirects followed by hand, and oidc-provider's development
 * login and consent forms filled in when `login` is given. The provider's jar is shared by every flow, as one
 * browser's would be; auth-app's is new for each, so no flow carries a session of auth-app into the next.
 */
async function providerSignIn(authUrl: string, providerJar: CookieJar, login?: string): Promise<string> {
  const jars = new Map<string, CookieJar>([[new URL(authUrl).origin, new CookieJar()]]);
  const jarOf = (url: URL) => jars.get(url.origin) ?? providerJar;
  const send = async (url: URL, form?: Record<string, string | undefined>) => {
    const jar = jarOf(url);
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: url.origin } : {}),
      },
      body: form && formBody(form),
    });
    jar.take(response);
    return { url, response, text: await response.text() };
  };
  let step = await send(new URL('/auth/oidc/start', authUrl));
  for (let hop = 0; hop < 12; hop += 1) {
    const token = jars.get(new URL(authUrl).origin)!.value(sessionCookie);
    if (token !== undefined) return token;
    const { url, response, text } = step;
    const location = response.headers.get('location');
    const action = /<form[^>]* action="([^"]+)"/.exec(text)?.[1];
    if (response.status >= 300 && response.status < 400 && location) {
      step = await send(new URL(location, url));
    } else if (response.status === 200 && action && login !== undefined) {
      const prompt = field(text, 'prompt');
      step = await send(new URL(action, url), prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
    } else {
      throw new Error(`the provider sign-in stopped at ${url.pathname} with ${response.status}`);
    }
  }
  throw new Error('the provider sign-in went round in circles');
}

async function passwordSignIn(authUrl: string, password: string): Promise<string> {
  const response = await fetch(`${authUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password }),
  });
  if (response.status !== 200) throw new Error(`a password sign-in answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** `connections` sign-ins at a time for `seconds`, each started as the one before it finishes. */
async function signInLoad(connections: number, seconds: number, signIn: () => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const before = performance.now();
      try {
        await signIn();
        latencies.push(performance.now() - before);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (share: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
  return {
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    throughputBytesPerSecond: 0,
    requests: latencies.length,
    errors,
    non2xx: 0,
  };
}

interface CpuTotals {
  signIns: number;
  authSeconds: number;
  benchSeconds: number;
  wallSeconds: number;
}

const benchCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** The run, with the CPU auth-app and this process (the load and, for the provider's flows, oidc-provider) spent. */
function counted(pid: number, totals: CpuTotals, run: () => Promise<LoadResult>) {
  return async () => {
    const [auth, bench, wall] = [processUsage(pid).cpuSeconds, benchCpu(), performance.now()];
    const result = await run();
    totals.signIns += result.requests;
    totals.authSeconds += processUsage(pid).cpuSeconds - auth;
    totals.benchSeconds += benchCpu() - bench;
    totals.wallSeconds += (performance.now() - wall) / 1000;
    return result;
  };
}

const perSignIn = (seconds: number, totals: CpuTotals) => (seconds / totals.signIns) * 1000;
const cpuMs = (value: number) => `${value.toFixed(2)} ms`;
const signInsPerSecond = (result: LoadResult) =>
  `${Math.round(result.requestsPerSecond)} sign-ins/s p99 ${Math.round(result.p99Ms)} ms`;

/**
 * Sign-ins through an OpenID Connect provider (oidc-provider, in this process) against password sign-ins on the same
 * auth-app, then /auth/validate with a session of each: the provider's user is an ordinary local lookup.
 */
export async function providerSignIns(bench: Bench): Promise<void> {
  const port = await freePort();
  const provider = await startProvider(
    { clientId, clientSecret, redirectUris: [`http://127.0.0.1:${port}/auth/oidc/callback`] },
    accounts,
  );
  const auth = await startProcess(
    'dist/auth-app/main.js',
    {
      AUTH_PORT: String(port),
      AUTH_DATABASE_URL: bench.databaseUrl,
      AUTH_LOGIN_MAX_FAILURES: '1000',
      AUTH_SERVICE_TOKEN: bench.serviceToken,
      AUTH_OIDC_ISSUER: provider.issuer,
      AUTH_OIDC_CLIENT_ID: clientId,
      AUTH_OIDC_CLIENT_SECRET: clientSecret,
      AUTH_OIDC_GROUP_PERMISSIONS: 'ops=logs:read',
    },
    bench.work,
    'auth-oidc',
  );
  try {
    const providerJar = new CookieJar();
    await providerSignIn(auth.url, providerJar, subject);
    const viaProvider = () => providerSignIn(auth.url, providerJar);
    const withPassword = () => passwordSignIn(auth.url, bench.password);
    const pid = auth.child.pid!;
    const seconds = bench.seconds;
    const warmUp = Math.min(2, seconds);
    await signInLoad(bench.connections, warmUp, viaProvider);
    await signInLoad(bench.connections, warmUp, withPassword);
    const totals = { provider: newTotals(), password: newTotals() };
    const [provided, local] = await alternating(bench, [
      counted(pid, totals.provider, () => signInLoad(bench.connections, seconds, viaProvider)),
      counted(pid, totals.password, () => signInLoad(bench.connections, seconds, withPassword)),
    ]);
    const ratio = provided.requestsPerSecond / local.requestsPerSecond;
    report(
      '12 sign-ins through the provider',
      signInsPerSecond(provided),
      `password ${signInsPerSecond(local)}`,
      ratio,
      '>= 1.00x',
      ratio >= 1 && provided.errors + local.errors === 0,
    );
    costs(totals.provider, totals.password);
    await validations(bench, auth.url, await viaProvider(), await withPassword());
  } finally {
    await auth.stop();
    await provider.stop();
  }
}

const newTotals = (): CpuTotals => ({ signIns: 0, authSeconds: 0, benchSeconds: 0, wallSeconds: 0 });

/**
 * The bench process both loads auth-app and runs oidc-provider; a password sign-in costs it one request of load, a
 * provider sign-in three (start, the provider's authorization, the callback), so what is left is the provider's
 * (its authorization and token endpoints).
 */
function costs(provider: CpuTotals, password: CpuTotals): void {
  const clientRequest = perSignIn(password.benchSeconds, password);
  const providerCost = perSignIn(provider.benchSeconds, provider) - 3 * clientRequest;
  const authProvider = perSignIn(provider.authSeconds, provider);
  const authPassword = perSignIn(password.authSeconds, password);
  const busy = (provider.benchSeconds / provider.wallSeconds) * 100;
  report(
    '12 the same: CPU a sign-in',
    `auth-app ${cpuMs(authProvider)}, provider about ${cpuMs(providerCost)}`,
    `password: auth-app ${cpuMs(authPassword)}`,
    authProvider / authPassword,
    'info',
    true,
  );
  process.stdout.write(
    `   the bench process (load and oidc-provider, on the same 2 cores) was busy ${busy.toFixed(0)} % of a core during the provider's runs\n`,
  );
}

async function validations(bench: Bench, authUrl: string, providerToken: string, localToken: string) {
  const validate = (token: string) => () =>
    load(bench, `${authUrl}/auth/validate`, {
      method: 'POST',
      body: JSON.stringify({ permission: 'logs:read:default' }),
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-service-token': bench.serviceToken,
      },
    });
  const [provided, local] = await alternating(bench, [validate(providerToken), validate(localToken)]);
  const ratio = provided.requestsPerSecond / local.requestsPerSecond;
  report(
    '12 POST /auth/validate, provider user',
    rps(provided),
    `local user ${rps(local)}`,
    ratio,
    '0.95-1.05x',
    ratio >= 0.95 && ratio <= 1.05 && provided.non2xx + local.non2xx === 0,
  );
}
