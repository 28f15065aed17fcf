import test from 'ava';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';

let stack: TestStack;
let token: string;
test.before(async () => {
  stack = await startStack();
  token = await stack.tokenFor('reader', ['logs:read']);
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'one'), cri(at(1), 'two'), cri(at(2), 'three')]);
});
test.after.always(() => stack.stop());

const read = (path: string) => stack.request(path, { token, headers: { accept: 'text/plain' } });

test("kubectl's flag names are refused, naming the parameter meant, instead of answering the whole log", async (t) => {
  for (const [query, meant] of [
    ['tail=2', 'did you mean tailLines?'],
    ['since=1h', 'did you mean sinceSeconds or sinceTime?'],
    ['limit-bytes=10', 'did you mean limitBytes?'],
    ['Timestamps=true', 'did you mean timestamps?'],
  ] as const) {
    const response = await read(`/logs/app?${query}`);
    t.is(response.status, 400, query);
    const { errors } = response.json as { errors: Array<{ name: string; message: string }> };
    t.is(errors[0]?.name, `query.${query.split('=')[0]}`);
    t.true(errors[0]?.message.endsWith(meant), errors[0]?.message);
  }
  const far = await read('/logs/app?colour=red');
  t.regex(far.text, /this operation takes namespace, container, tailLines/);
});

test('booleans take what the Kubernetes API takes (Go ParseBool): 1, t, T, TRUE, true, True and their falses', async (t) => {
  for (const yes of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
    t.is((await read(`/logs/app?tailLines=1&timestamps=${yes}`)).text, `${at(2)} three\n`, yes);
  }
  for (const no of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
    t.is((await read(`/logs/app?tailLines=1&timestamps=${no}`)).text, 'three\n', no);
  }
  const wrong = await read('/logs/app?timestamps=yes');
  t.is(wrong.status, 400);
  t.regex(wrong.text, /query\.timestamps must be a boolean/);
});

test('the spec served names the address it was asked at, so "Try it out" calls this service', async (t) => {
  const { servers } = (await stack.request('/openapi.json')).json as { servers: Array<{ url: string }> };
  t.deepEqual(servers, [{ url: stack.logs.url }]);
  const auth = (await stack.auth.request('/openapi.json')).json as { servers: Array<{ url: string }> };
  t.deepEqual(auth.servers, [{ url: stack.auth.url }]);
});

test("auth-app's own routes refuse unknown query parameters too", async (t) => {
  const response = await stack.auth.request('/auth/sessions?limt=5', { token });
  t.is(response.status, 400);
  t.regex(response.text, /did you mean limit\?/);
});

test('LOGS_DIR that does not exist: 503 naming the directory, as /readyz says, not 404 for the pod', async (t) => {
  const missing = await startStack({ LOGS_DIR: '/nonexistent-pods' });
  t.teardown(() => missing.stop());
  const reader = await missing.tokenFor('reader', ['logs:read']);
  const response = await missing.request('/logs/app', { token: reader });
  t.is(response.status, 503);
  t.regex(response.text, /the log directory \/nonexistent-pods does not exist/);
  t.is((await missing.request('/readyz')).status, 503);
});
