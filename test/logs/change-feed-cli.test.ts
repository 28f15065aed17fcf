import test from 'ava';
import { testPassword } from '../helpers/auth.js';
import { at, cri, startStack, type TestStack } from '../helpers/logs.js';
import { runScript } from '../helpers/processes.js';
import { followLog } from '../helpers/streams.js';

/** The admin CLI writes the database itself, from its own process: auth-app hears of it through SQLite's data_version. */
let stack: TestStack;
test.before(async () => {
  stack = await startStack({ LOGS_FOLLOW_RECHECK_MS: '5000' });
  stack.writeLog('default', 'app', 'main', '0.log', [cri(at(0), 'default line')]);
});
test.after.always(() => stack.stop());

const admin = async (args: string[], stdin = '') => {
  const done = await runScript('auth-app/admin.ts', args, { AUTH_DATABASE_URL: stack.auth.databaseUrl }, stdin);
  if (done.code !== 0) throw new Error(`auth-admin ${args.join(' ')}: ${done.stderr}`);
};

let users = 0;
async function reader(): Promise<{ name: string; token: string }> {
  users += 1;
  const name = `cli-reader${users}`;
  await stack.auth.addUser(name, testPassword, ['logs:read:default', 'logs:read:team-a']);
  return { name, token: await stack.auth.login(name, testPassword) };
}

const commands: Array<[string, (name: string) => Promise<void>, number]> = [
  ['user revoke', (name) => admin(['user', 'revoke', name, 'logs:read:default']), 403],
  ['user disable', (name) => admin(['user', 'disable', name]), 401],
  ['user passwd', (name) => admin(['user', 'passwd', name], 'another long passphrase\n'), 401],
  ['sessions end', (name) => admin(['sessions', 'end', name]), 401],
];

for (const [command, run, status] of commands) {
  test.serial(`auth-admin ${command}: refused on the next request after the CLI is done, on a warm path`, async (t) => {
    const { name, token } = await reader();
    const validations = () => stack.auth.logLines.filter((line) => line.includes('"/auth/validate/batch"')).length;
    t.is((await stack.request('/logs/app', { token })).status, 200);
    const before = validations();
    t.is((await stack.request('/logs/app', { token })).status, 200);
    t.is(validations(), before, 'the warm path asked auth-app');
    await run(name);
    t.is((await stack.request('/logs/app', { token })).status, status);
  });

  test.serial(`auth-admin ${command}: a followed log ends within a second of the CLI's commit`, async (t) => {
    const { name, token } = await reader();
    const stream = await followLog(stack.logs.url, '/logs/app?follow=true', token, 'default line');
    t.teardown(() => stream.close());
    await run(name);
    const done = performance.now();
    t.true(await stream.end(1000), 'the follow went on');
    t.log(`ended ${Math.round(performance.now() - done)} ms after the CLI exited`);
  });
}
