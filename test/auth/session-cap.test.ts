import test from 'ava';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';
import { runScript } from '../helpers/processes.js';

let auth: TestAuth;
const tokens: string[] = [];
test.before(async () => {
  auth = await startAuth();
  await auth.addUser('many', testPassword);
  for (let index = 0; index < 52; index += 1) {
    tokens.push(await auth.login('many', testPassword));
    auth.clock.advance(1);
  }
});
test.after.always(() => auth.stop());

const idOf = (token: string) => token.split('.')[0]!;

interface Page {
  sessions: Array<{ sessionId: string; current: boolean }>;
  next?: string;
}

const page = async (query: string) =>
  (await auth.request(`/auth/sessions${query}`, { token: tokens.at(-1) })).json as Page;

test('a user holds at most AUTH_MAX_SESSIONS_PER_USER (50) sessions: each login past it ends the oldest', async (t) => {
  const validate = (token: string) =>
    auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token });
  t.is((await validate(tokens[0]!)).status, 401);
  t.is((await validate(tokens[1]!)).status, 401);
  t.is((await validate(tokens[2]!)).status, 200);
  t.is((await validate(tokens.at(-1)!)).status, 200);
  const ended = auth.logLines.filter((line) => line.includes('"sessionsEnded":1'));
  t.is(ended.length, 2, 'the logins that ended one say so');
});

test('the session list comes in pages of 20 (limit up to 100), newest first, each session once', async (t) => {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor = '';
  for (;;) {
    const { sessions, next } = await page(cursor ? `?cursor=${cursor}` : '');
    sizes.push(sessions.length);
    seen.push(...sessions.map((session) => session.sessionId));
    if (!next) break;
    cursor = next;
  }
  t.deepEqual(sizes, [20, 20, 10]);
  t.deepEqual(seen, tokens.slice(2).reverse().map(idOf));
  const all = await page('?limit=100');
  t.is(all.sessions.length, 50);
  t.is(all.next, undefined);
  t.deepEqual(
    all.sessions.filter((session) => session.current).map((session) => session.sessionId),
    [idOf(tokens.at(-1)!)],
  );
  t.is((await page('?limit=7')).sessions.length, 7);
});

test('a limit out of range or a cursor the API did not give: 400 naming the parameter', async (t) => {
  for (const [query, name] of [
    ['?limit=101', 'query.limit'],
    ['?limit=0', 'query.limit'],
    ['?cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
    ['?cursor=a%2Fb', 'query.cursor'],
  ] as const) {
    const response = await auth.request(`/auth/sessions${query}`, { token: tokens.at(-1) });
    t.is(response.status, 400, query);
    t.true(
      (response.json as { errors: Array<{ name: string }> }).errors.some((error) => error.name === name),
      query,
    );
  }
});

test('the admin CLI lists every session, not a page', async (t) => {
  const listed = await runScript('auth-app/admin.ts', ['sessions', 'list', 'many'], {
    AUTH_DATABASE_URL: auth.databaseUrl,
  });
  t.is(listed.code, 0, listed.stderr);
  t.is(listed.stdout.trim().split('\n').length, 50);
});
