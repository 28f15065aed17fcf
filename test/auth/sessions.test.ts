import test from 'ava';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';

let auth: TestAuth;
test.before(async () => {
  auth = await startAuth();
  await auth.addUser('alice', testPassword, ['logs:read']);
  await auth.addUser('bob', testPassword);
});
test.after.always(() => auth.stop());

interface Summary {
  sessionId: string;
  current: boolean;
  clientAddress: string;
  userAgent: string;
}

const list = async (token: string) =>
  ((await auth.request('/auth/sessions', { token })).json as { sessions: Summary[] }).sessions;

test('GET /auth/session tells who the caller is', async (t) => {
  const token = await auth.login('alice', testPassword);
  const response = await auth.request('/auth/session', { token });
  t.is(response.status, 200);
  t.is((response.json as { username: string }).username, 'alice');
  t.is((await auth.request('/auth/session')).status, 401);
});

test('the session list shows each live session once, marks the current one and never a token', async (t) => {
  await auth.addUser('lister', testPassword);
  const first = await auth.login('lister', testPassword);
  const second = await auth.login('lister', testPassword);
  const response = await auth.request('/auth/sessions', { token: second, headers: { 'user-agent': 'test-agent/1.0' } });
  t.is(response.status, 200);
  const sessions = (response.json as { sessions: Summary[] }).sessions;
  t.is(sessions.length, 2);
  t.deepEqual(
    sessions.filter((session) => session.current).map((session) => session.sessionId),
    [second.split('.')[0]],
  );
  t.true(sessions.every((session) => session.clientAddress === '127.0.0.1'));
  t.false(response.text.includes(first.split('.')[1]!));
  t.false(response.text.includes(second.split('.')[1]!));
});

test('logout ends the session at once', async (t) => {
  const token = await auth.login('alice', testPassword);
  t.is((await auth.request('/auth/logout', { method: 'POST', token })).status, 204);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token })).status, 401);
  t.is((await auth.request('/auth/logout', { method: 'POST', token })).status, 401);
});

test('a user ends one of its other sessions; another user cannot', async (t) => {
  await auth.addUser('ender', testPassword);
  const keep = await auth.login('ender', testPassword);
  const stolen = await auth.login('ender', testPassword);
  const stolenId = stolen.split('.')[0]!;
  const bob = await auth.login('bob', testPassword);
  const byOther = await auth.request(`/auth/sessions/${stolenId}`, { method: 'DELETE', token: bob });
  t.is(byOther.status, 404);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: stolen })).status, 200);
  t.is((await auth.request(`/auth/sessions/${stolenId}`, { method: 'DELETE', token: keep })).status, 204);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: stolen })).status, 401);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: keep })).status, 200);
  t.is((await auth.request(`/auth/sessions/${stolenId}`, { method: 'DELETE', token: keep })).status, 404);
});

test('sign out everywhere ends every session of the user and only those', async (t) => {
  await auth.addUser('everywhere', testPassword);
  const tokens = [await auth.login('everywhere', testPassword), await auth.login('everywhere', testPassword)];
  const bob = await auth.login('bob', testPassword);
  const response = await auth.request('/auth/sessions', { method: 'DELETE', token: tokens[0] });
  t.is(response.status, 200);
  t.deepEqual(response.json, { ended: 2 });
  for (const token of tokens)
    t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token })).status, 401);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: bob })).status, 200);
  t.deepEqual(await list(bob).then((sessions) => sessions.length > 0), true);
});

test('disabling a user or changing its password ends its sessions', async (t) => {
  await auth.addUser('changer', testPassword);
  const user = (await auth.service.store.findUser('changer'))!;
  const before = await auth.login('changer', testPassword);
  await auth.service.store.setPasswordHash(user.id, user.passwordHash!, { endSessions: true });
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: before })).status, 401);
  const again = await auth.login('changer', testPassword);
  await auth.service.store.setDisabled(user.id, true);
  t.is((await auth.request('/auth/validate', { method: 'POST', headers: serviceHeaders, token: again })).status, 401);
});
