import test from 'ava';
import { assertMatchesSpec } from '../helpers/contract.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;
test.before(async () => {
  stack = await startStack({}, {});
  token = await stack.tokenFor('dana', ['logs:read:default', 'logs:read:team-a']);
  stack.writeLog('default', 'api', 'main', '0.log', [cri(at(0), 'up')]);
  stack.writeLog('default', 'api', 'main', '1.log', [cri(at(5), 'up again')]);
  stack.writeLog('default', 'api', 'sidecar', '0.log', [cri(at(0), 'sidecar')]);
  stack.writeLog('team-a', 'billing', 'main', '0.log', [cri(at(0), 'billing')]);
  stack.writeLog('secret', 'vault', 'main', '0.log', [cri(at(0), 'vault')]);
});
test.after.always(() => stack.stop());

/** What a browser gets, redirects not followed, checked against openapi/logs.yaml. */
async function browse(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.logs.url}${path}`, { headers, redirect: 'manual' });
  const text = await response.text();
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const json: unknown = contentType.endsWith('json') && text ? JSON.parse(text) : undefined;
  const checked = { status: response.status, headers: response.headers, contentType, text, json };
  await assertMatchesSpec('logs', 'GET', path, checked);
  return checked;
}

const bearer = () => ({ authorization: `Bearer ${token}` });

test('without a session the page sends the browser to sign in, with the way back', async (t) => {
  const response = await browse('/?namespace=default&pod=api');
  t.is(response.status, 303);
  const location = new URL(response.headers.get('location')!);
  t.is(`${location.origin}${location.pathname}`, `${stack.auth.url}/login`);
  t.is(location.searchParams.get('rd'), `${stack.logs.url}/?namespace=default&pod=api`);
});

test('a session ended or unknown goes to sign in too', async (t) => {
  const response = await browse('/', { cookie: 'pod-logs-session=AAAAAAAAAAAAAAAAAAAAAA.BBBB' });
  t.is(response.status, 303);
});

test('the page, for a session in the cookie: strict policy, no-store, the user and its CSRF token', async (t) => {
  const response = await browse('/', { cookie: `pod-logs-session=${token}` });
  t.is(response.status, 200);
  t.is(response.contentType, 'text/html');
  t.is(response.headers.get('cache-control'), 'no-store');
  const policy = response.headers.get('content-security-policy') ?? '';
  t.regex(policy, /script-src 'self';/);
  t.regex(policy, /frame-ancestors 'none'/);
  t.notRegex(policy, /unsafe-inline/);
  t.is(response.headers.get('referrer-policy'), 'strict-origin', 'its sign-out form posts with its Origin');
  t.regex(response.text, /data-username="dana\d*"/);
  t.regex(response.text, /data-csrf="[\w-]{43}"/);
  t.notRegex(response.text, new RegExp(token.split('.')[1]!), 'the token itself is not in the page');
  t.notRegex(response.text, /<script>/, 'no inline script');
});

test('a bad query is a page that says what is wrong, not JSON', async (t) => {
  const response = await browse('/?namespace=Not_A_Label', bearer());
  t.is(response.status, 400);
  t.is(response.contentType, 'text/html');
  t.regex(response.text, /namespace/);
});

test('the script and style sheet are served with year-long caching; anything else is not', async (t) => {
  const page = await browse('/', bearer());
  const files = [...page.text.matchAll(/(?:src|href)="viewer\/([^"]+)"/g)].map((match) => match[1]!);
  t.is(files.length, 2);
  for (const file of files) {
    const asset = await browse(`/viewer/${file}`);
    t.is(asset.status, 200);
    t.is(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    t.is(asset.contentType, file.endsWith('.js') ? 'application/javascript' : 'text/css');
    t.true(asset.text.length > 100);
  }
  t.is((await browse('/viewer/main-NOSUCHFILE.js')).status, 404);
  t.is((await browse('/viewer/..%2Fpackage.json')).status, 400);
});

test('/pods lists only the namespaces the session may read, with containers, restarts and last writes', async (t) => {
  const response = await browse('/pods', bearer());
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  const { namespaces } = response.json as {
    namespaces: {
      name: string;
      pods: { name: string; containers: { name: string; restartCount: number; lastWriteAt?: string }[] }[];
    }[];
  };
  t.deepEqual(
    namespaces.map((namespace) => namespace.name),
    ['default', 'team-a'],
  );
  const api = namespaces[0]!.pods.find((pod) => pod.name === 'api')!;
  t.deepEqual(
    api.containers.map(({ name, restartCount }) => ({ name, restartCount })),
    [
      { name: 'main', restartCount: 1 },
      { name: 'sidecar', restartCount: 0 },
    ],
  );
  t.true(Math.abs(Date.parse(api.containers[0]!.lastWriteAt!) - Date.now()) < 60_000);
});

test('/pods without a session is a 401 problem, for scripts', async (t) => {
  const response = await browse('/pods');
  t.is(response.status, 401);
  t.is(response.contentType, 'application/problem+json');
});

test.serial('auth-app gone: the page says so and reloads itself; /pods is a 503 with Retry-After', async (t) => {
  await stack.auth.restart(async () => {
    const page = await browse('/', bearer());
    t.is(page.status, 503);
    t.is(page.contentType, 'text/html');
    t.regex(page.text, /http-equiv="refresh"/);
    const pods = await browse('/pods', bearer());
    t.is(pods.status, 503);
    t.truthy(pods.headers.get('retry-after'));
  });
});
