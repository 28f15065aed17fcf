import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { serviceHeaders, startAuth, testPassword } from '../helpers/auth.js';

test('the database holds no usable token and no password; sessions survive a restart', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  await auth.addUser('alice', testPassword);
  const token = await auth.login('alice', testPassword);
  const [sessionId, secret] = token.split('.') as [string, string];
  await auth.restart();
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token })).status, 200);
  await auth.service.stop();
  const files = readdirSync(auth.dir).map((name) => readFileSync(join(auth.dir, name)).toString('latin1'));
  const everything = files.join('\n');
  t.true(everything.includes(sessionId), 'the session row is in the file');
  t.false(everything.includes(secret));
  t.false(everything.includes(token));
  t.false(everything.includes(testPassword));
  await auth.restart();
});
