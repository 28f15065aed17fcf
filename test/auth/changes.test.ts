import { randomUUID } from 'node:crypto';
import test from 'ava';
import { openStore } from '../../auth-app/store/open.js';
import { serviceHeaders, startAuth, testPassword, type TestAuth } from '../helpers/auth.js';
import { changesIn, subscribe, type FeedMessage } from '../helpers/change-feed.js';

const pool = { poolSize: 1, connectTimeoutMs: 2000, queryTimeoutMs: 2000 };

async function withUser(auth: TestAuth, username: string, permissions: string[] = ['logs:read']) {
  await auth.addUser(username, testPassword, permissions);
  const user = await auth.service.store.findUser(username);
  return user!.id;
}

const sessionIdOf = (token: string) => token.split('.')[0]!;

const seqs = (messages: FeedMessage[]) => changesIn(messages).map((change) => change.seq);

test('only services may subscribe, and the parameters are checked', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  t.is((await auth.request('/auth/changes')).status, 401);
  t.is((await auth.request('/auth/changes', { headers: { 'x-service-token': 'x'.repeat(40) } })).status, 401);
  t.is((await auth.request('/auth/changes?heartbeatMs=5', { headers: serviceHeaders })).status, 400);
  t.is((await auth.request('/auth/changes?after=-1', { headers: serviceHeaders })).status, 400);
  t.is((await auth.request('/auth/changes?since=1', { headers: serviceHeaders })).status, 400);
});

test('hello, then each change as its route commits it, by id and never by token; heartbeats carry the last seq', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const feed = await subscribe(auth.url, '?heartbeatMs=100');
  t.teardown(() => feed.close());
  const [hello] = await feed.until((messages) => messages.length > 0);
  t.deepEqual(hello, { type: 'hello', seq: 0, replay: false, touchIntervalMs: 60_000 });
  const userId = await withUser(auth, 'alice');
  const [one, two, three] = [
    await auth.login('alice', testPassword),
    await auth.login('alice', testPassword),
    await auth.login('alice', testPassword),
  ];
  t.is((await auth.request('/auth/logout', { method: 'POST', token: one })).status, 204);
  t.is((await auth.request(`/auth/sessions/${sessionIdOf(two)}`, { method: 'DELETE', token: three })).status, 204);
  t.is((await auth.request('/auth/sessions', { method: 'DELETE', token: three })).status, 200);
  const messages = await feed.until((seen) =>
    seen.some((message) => message.type === 'heartbeat' && message.seq === 3),
  );
  const changes = changesIn(messages);
  t.deepEqual(
    changes.map(({ seq, kind, sessionId, userId: user }) => ({ seq, kind, sessionId, userId: user })),
    [
      { seq: 1, kind: 'session-ended', sessionId: sessionIdOf(one), userId: undefined },
      { seq: 2, kind: 'session-ended', sessionId: sessionIdOf(two), userId: undefined },
      { seq: 3, kind: 'sessions-ended', sessionId: undefined, userId },
    ],
  );
  const text = JSON.stringify(messages);
  for (const token of [one, two, three]) t.false(text.includes(token.split('.')[1]!), 'a token secret is on the feed');
  t.true(changes.every((change) => Math.abs(Date.parse(change.at) - Date.now()) < 60_000));
});

test('writes no route makes reach the feed too: grant, revocation, disable, password, provider permissions, purge', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const feed = await subscribe(auth.url);
  t.teardown(() => feed.close());
  const userId = await withUser(auth, 'bob', ['logs:read:a']);
  const { store } = auth.service;
  await auth.login('bob', testPassword);
  await store.setPermissions(userId, ['logs:read:a', 'logs:read:b']);
  await store.setPermissions(userId, ['logs:read:a']);
  await store.setProviderPermissions(userId, ['logs:read:c']);
  await store.setPasswordHash(userId, (await store.findUser('bob'))!.passwordHash!, { endSessions: true });
  await store.setDisabled(userId, true);
  await store.setDisabled(userId, false);
  await store.createSession(
    {
      id: randomUUID().replace(/-/g, '').slice(0, 22),
      secretHash: 'ab'.repeat(32),
      userId,
      createdAt: 0,
      lastSeenAt: 0,
      expiresAt: 1,
      clientAddress: '10.0.0.1',
      userAgent: 'test',
    },
    50,
  );
  await store.purgeSessions(Date.now(), 0);
  const messages = await feed.until((seen) => changesIn(seen).length >= 7);
  t.deepEqual(
    changesIn(messages).map((change) => [change.kind, change.userId]),
    [
      ['permissions-changed', userId],
      ['permissions-changed', userId],
      ['provider-permissions-changed', userId],
      ['password-changed', userId],
      ['user-disabled', userId],
      ['user-enabled', userId],
      ['sessions-expired', undefined],
    ],
  );
});

test('a subscriber coming back after seq N is told what it missed; one that auth-app cannot tell starts afresh', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const userId = await withUser(auth, 'carol');
  for (const round of [1, 2, 3]) await auth.service.store.setPermissions(userId, [`logs:read:r${round}`]);
  const back = await subscribe(auth.url, '?after=1');
  t.teardown(() => back.close());
  const replayed = await back.until((messages) => seqs(messages).includes(3));
  t.like(replayed[0], { type: 'hello', seq: 3, replay: true });
  t.deepEqual(seqs(replayed), [2, 3]);
  const current = await subscribe(auth.url, '?after=3');
  t.teardown(() => current.close());
  t.like((await current.until((messages) => messages.length > 0))[0], { type: 'hello', seq: 3, replay: true });
  await auth.service.store.setPermissions(userId, []);
  t.deepEqual(seqs(await current.until((messages) => seqs(messages).includes(4))), [4], 'live after the replay');

  await auth.service.store.purgeChanges(Date.now() + 60_000);
  for (const [after, why] of [
    ['1', 'purged'],
    ['99', 'ahead of the database'],
  ]) {
    const fresh = await subscribe(auth.url, `?after=${after}`);
    t.like((await fresh.until((messages) => messages.length > 0))[0], { type: 'hello', seq: 4, replay: false }, why);
    fresh.close();
  }
});

test('a burst of 10,000 changes committed by another process reaches a subscriber whole, in order', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const userId = await withUser(auth, 'dave');
  const feed = await subscribe(auth.url);
  t.teardown(() => feed.close());
  await feed.until((messages) => messages.length > 0);
  const other = await openStore(auth.databaseUrl, pool);
  t.teardown(() => other.close());
  const started = performance.now();
  for (let round = 0; round < 10_000; round += 1) await other.setPermissions(userId, [`logs:read:r${round}`]);
  const written = performance.now() - started;
  const messages = await feed.until((seen) => changesIn(seen).at(-1)?.seq === 10_000, 30_000);
  const received = performance.now() - started;
  t.deepEqual(
    seqs(messages),
    Array.from({ length: 10_000 }, (_, index) => index + 1),
  );
  t.log(`10,000 changes written in ${Math.round(written)} ms, all received ${Math.round(received - written)} ms later`);
});

test('the streams end when auth-app stops, and a restarted auth-app continues the numbering', async (t) => {
  const auth = await startAuth();
  t.teardown(() => auth.stop());
  const userId = await withUser(auth, 'erin');
  await auth.service.store.setPermissions(userId, ['logs:read:x']);
  const feed = await subscribe(auth.url);
  await feed.until((messages) => messages.length > 0);
  const stopping = performance.now();
  await auth.restart();
  t.true(await feed.end(3000), 'the stream is still open');
  t.true(performance.now() - stopping < 4500, 'stopping waited on the stream (it is cut after 5 s)');
  const again = await subscribe(auth.url, '?after=1');
  t.teardown(() => again.close());
  t.like((await again.until((messages) => messages.length > 0))[0], { type: 'hello', seq: 1, replay: true });
  await auth.service.store.setPermissions(userId, []);
  t.deepEqual(seqs(await again.until((messages) => seqs(messages).includes(2))), [2]);
});
