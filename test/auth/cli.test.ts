import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { serviceHeaders, startAuth, testPassword } from '../helpers/auth.js';
import { runScript } from '../helpers/processes.js';

const admin = (databaseUrl: string, args: string[], stdin = '', env: Record<string, string> = {}) =>
  runScript('auth-app/admin.ts', args, { ...env, AUTH_DATABASE_URL: databaseUrl }, stdin);

interface ListedUser {
  username: string;
  permissions: string[];
  limited?: { addresses: string[]; account: boolean };
}

const listedUsers = (stdout: string): ListedUser[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ListedUser);

test('the admin CLI manages users against the store the service uses', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const db = auth.databaseUrl;
  const added = await admin(db, ['user', 'add', 'Alice', '--permission', 'logs:read:team-a'], `${testPassword}\n`);
  t.is(added.code, 0, added.stderr);
  t.is(
    (await admin(db, ['user', 'add', 'alice'], `${testPassword}\n`)).code,
    1,
    'usernames are unique, case-insensitively',
  );
  const token = await auth.login('alice', testPassword);

  t.is((await admin(db, ['user', 'grant', 'alice', 'logs:read:team-b'])).code, 0);
  t.is((await admin(db, ['user', 'revoke', 'alice', 'logs:read:team-a'])).code, 0);
  const notHeld = await admin(db, ['user', 'revoke', 'alice', 'logs:read:team-a']);
  t.is(notHeld.code, 1);
  t.regex(notHeld.stderr, /Alice was not granted logs:read:team-a/);
  const listed = await admin(db, ['user', 'list']);
  t.is(listed.code, 0);
  const users = listedUsers(listed.stdout);
  t.deepEqual(
    users.map((user) => [user.username, user.permissions]),
    [['Alice', ['logs:read:team-b']]],
  );
  t.false(listed.stdout.includes('argon2'), 'no password hash is printed');
  const validate = () =>
    auth.request('/auth/validate', {
      method: 'POST',
      headers: serviceHeaders,
      token,
      json: { permission: 'logs:read:team-b' },
    });
  t.is((await validate()).status, 200, 'a grant applies to a live session at once');

  t.is((await admin(db, ['user', 'disable', 'alice'])).code, 0);
  t.is((await validate()).status, 401, 'disabling ends the sessions');
  t.is(
    (await auth.request('/auth/login', { method: 'POST', json: { username: 'alice', password: testPassword } })).status,
    401,
  );
  t.is((await admin(db, ['user', 'enable', 'alice'])).code, 0);
  const again = await auth.login('alice', testPassword);

  const changed = await admin(db, ['user', 'passwd', 'alice'], 'a brand new passphrase\n');
  t.is(changed.code, 0, changed.stderr);
  t.is(
    (await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: again })).status,
    401,
    'a new password ends the sessions',
  );
  const third = await auth.login('alice', 'a brand new passphrase');
  const sessionList = await admin(db, ['sessions', 'list', 'alice']);
  t.is(sessionList.code, 0, sessionList.stderr);
  const live = sessionList.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { username: string; sessionId: string; clientAddress: string });
  t.deepEqual(
    live.map(({ username, sessionId, clientAddress }) => [username, sessionId, clientAddress]),
    [['Alice', third.split('.')[0], '127.0.0.1']],
    'only the live session: who, which, from where',
  );
  t.false(sessionList.stdout.includes(third.split('.')[1]!), 'never the token');
  const ended = await admin(db, ['sessions', 'end', 'alice']);
  t.is(ended.code, 0);
  t.regex(ended.stdout, /^1 session of Alice ended/);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: third })).status, 401);
});

test('the CLI refuses weak passwords and unknown users with 1, bad usage with 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = `sqlite:${join(dir, 'auth.db')}`;
  t.is((await admin(db, ['user', 'add', 'bob'], 'short\n')).code, 1);
  t.is((await admin(db, ['user', 'add', 'bob'], 'password123\n')).code, 1);
  t.is((await admin(db, ['user', 'add', 'bob'], '')).code, 1);
  t.is((await admin(db, ['user', 'grant', 'nobody', 'logs:read'])).code, 1);
  const usage = await admin(db, []);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /Usage: npm run --silent auth-admin/);
  for (const help of ['help', '--help', '-h']) {
    const asked = await admin(db, [help]);
    t.is(asked.code, 0, `${help}: the usage asked for is not bad usage`);
    t.regex(asked.stdout, /Usage: npm run --silent auth-admin/);
  }
  t.is((await admin(db, ['user', 'add', '../bob'], `${testPassword}\n`)).code, 2);
  t.is((await admin(db, ['user', 'grant', 'bob'])).code, 2);
  t.is((await admin(db, ['user', 'frobnicate'])).code, 2);
  t.is((await admin(db, ['user', 'add', 'bob', '--colour', 'red'], `${testPassword}\n`)).code, 2);
});

test('revoking a permission a broader one still grants says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-broader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = `sqlite:${join(dir, 'auth.db')}`;
  const permissions = ['--permission', 'logs:read', '--permission', 'logs:read:team-a'];
  t.is((await admin(db, ['user', 'add', 'bob', ...permissions], `${testPassword}\n`)).code, 0);
  const revoked = await admin(db, ['user', 'revoke', 'bob', 'logs:read:team-a']);
  t.is(revoked.code, 0);
  t.is(revoked.stdout.trim(), 'revoked logs:read:team-a from bob; logs:read still grants it');
  const again = await admin(db, ['user', 'revoke', 'bob', 'logs:read:team-a']);
  t.is(again.code, 1);
  t.regex(again.stderr, /bob was not granted logs:read:team-a; logs:read still grants it/);
});

test('only permissions of the grammar are granted (1 otherwise); a bad one held can still be revoked', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const db = auth.databaseUrl;
  await auth.addUser('alice', testPassword);
  await auth.addUser('carol', testPassword, ['logs:reed:team-a', 'logs:read:team-b']);
  const misspelt = await admin(db, ['user', 'grant', 'alice', 'logs:reed:team-a']);
  t.is(misspelt.code, 1);
  t.regex(misspelt.stderr, /not a permission: logs:reed:team-a/);
  t.regex(misspelt.stderr, /logs:read .*logs:read:<namespace>/, 'the accepted forms are listed');
  for (const refused of ['logs:read:Team_A', 'logs:read:team.a', 'logs:read:', 'logs:write', 'NOT A PERMISSION']) {
    t.is((await admin(db, ['user', 'grant', 'alice', refused])).code, 1, refused);
  }
  t.is((await admin(db, ['user', 'grant', 'alice', `logs:read:${'a'.repeat(64)}`])).code, 1, 'a label is 63 at most');
  const added = await admin(db, ['user', 'add', 'dave', '--permission', 'logs:read:-team'], `${testPassword}\n`);
  t.is(added.code, 1);
  for (const accepted of ['logs:read', 'logs:read:team-a', `logs:read:${'a'.repeat(63)}`, 'logs:read:0']) {
    t.is((await admin(db, ['user', 'grant', 'alice', accepted])).code, 0, accepted);
  }
  t.is((await admin(db, ['user', 'revoke', 'carol', 'logs:reed:team-a'])).code, 0, 'a bad grant held is revoked');
  t.is((await admin(db, ['user', 'revoke', 'carol', 'logs:reed:team-a'])).code, 1);
  const users = listedUsers((await admin(db, ['user', 'list'])).stdout);
  t.deepEqual(
    users.map((user) => [user.username, user.permissions]),
    [
      ['alice', ['logs:read', 'logs:read:team-a', `logs:read:${'a'.repeat(63)}`, 'logs:read:0']],
      ['carol', ['logs:read:team-b']],
    ],
    'nothing refused was stored, dave not made',
  );
});

test('a user without live sessions is said so on stderr only; ended sessions are counted in words', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const db = auth.databaseUrl;
  await auth.addUser('bob', testPassword);
  const none = await admin(db, ['sessions', 'list', 'bob']);
  t.is(none.code, 0);
  t.is(none.stdout, '', 'a script reading stdout sees no lines');
  t.is(none.stderr, 'bob has no live sessions\n');
  await auth.login('bob', testPassword);
  await auth.login('bob', testPassword);
  t.is((await admin(db, ['sessions', 'end', 'bob'])).stdout, '2 sessions of bob ended\n');
  await auth.login('bob', testPassword);
  t.is((await admin(db, ['sessions', 'end', 'bob'])).stdout, '1 session of bob ended\n');
  t.is((await admin(db, ['sessions', 'end', 'bob'])).stdout, '0 sessions of bob ended\n');
});

test('a user limited by the login regulation is listed so and let in early by user unlock', async (t) => {
  const auth = await startAuth({ AUTH_TRUST_PROXY: 'true' });
  t.teardown(() => auth.stop());
  const db = auth.databaseUrl;
  await auth.addUser('alice', testPassword);
  await auth.addUser('bob', testPassword);
  const loginFrom = (username: string, password: string, address: string) =>
    auth.request('/auth/login', {
      method: 'POST',
      json: { username, password },
      headers: { 'x-forwarded-for': address },
    });
  for (let index = 0; index < 5; index += 1) {
    t.is((await loginFrom('alice', 'wrong password!', '203.0.113.7')).status, 401);
  }
  t.is((await loginFrom('alice', testPassword, '203.0.113.7')).status, 429);
  for (const address of ['198.51.100.1', '198.51.100.2']) {
    t.is((await loginFrom('bob', 'wrong password!', address)).status, 401);
  }
  const limits = async (env: Record<string, string> = {}) =>
    listedUsers((await admin(db, ['user', 'list'], '', env)).stdout).map((user) => [user.username, user.limited]);
  t.deepEqual(await limits(), [
    ['alice', { addresses: ['203.0.113.7'], account: false }],
    ['bob', undefined],
  ]);
  t.deepEqual(
    await limits({ AUTH_LOGIN_MAX_FAILURES: '6', AUTH_LOGIN_ACCOUNT_MAX_FAILURES: '2' }),
    [
      ['alice', undefined],
      ['bob', { addresses: [], account: true }],
    ],
    'the policy is the one the environment sets, as for the service',
  );

  const unlocked = await admin(db, ['user', 'unlock', 'alice']);
  t.is(unlocked.code, 0, unlocked.stderr);
  t.is(unlocked.stdout, '5 login failures of alice cleared; its logins are no longer limited\n');
  t.is((await loginFrom('alice', testPassword, '203.0.113.7')).status, 200);
  t.deepEqual(await limits(), [
    ['alice', undefined],
    ['bob', undefined],
  ]);
  t.is((await admin(db, ['user', 'unlock', 'nobody'])).code, 1);
  const again = await admin(db, ['user', 'unlock', 'alice']);
  t.is(again.stdout, 'alice had no login failures: its logins were not limited\n', 'nothing to clear is said so');
});
