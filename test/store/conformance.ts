import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import type { SessionRecord, Store } from '../../auth-app/store/store.js';

export interface StoreUnderTest {
  store: Store;
  /** Opens a second store on the same database, as a second replica would. */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const user = (username: string, permissions: string[] = []) => ({
  id: randomUUID(),
  username,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  permissions,
  createdAt: 1_000,
});

const session = (userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: randomUUID().replace(/-/g, '').slice(0, 22),
  secretHash: 'ab'.repeat(32),
  userId,
  createdAt: 10_000,
  lastSeenAt: 10_000,
  expiresAt: 100_000,
  clientAddress: '10.1.2.3',
  userAgent: 'agent/1',
  ...overrides,
});

const maxSessions = 50;

/** Limits that no attempt below reaches unless a test lowers them. */
const roomy = {
  maxFailures: 100,
  since: 0,
  accountMaxFailures: 1_000,
  accountSince: 0,
  addressShare: 999,
  knownAddress: false,
};

const failure = (store: Store, key: string, address: string, at: number) =>
  store.reserveLoginAttempt(key, address, at, roomy);

/** The behaviour every Store must have, run against each backend. */
export function storeConformance(backend: string, open: () => Promise<StoreUnderTest>): void {
  const withStore = (
    title: string,
    body: (t: ExecutionContext, store: Store, subject: StoreUnderTest) => Promise<void>,
  ) =>
    test(`${backend}: ${title}`, async (t) => {
      const subject = await open();
      t.teardown(() => subject.cleanup());
      await body(t, subject.store, subject);
    });

  withStore('usernames are unique case-insensitively and found in any case', async (t, store) => {
    const alice = user('Alice', ['logs:read']);
    t.true(await store.createUser(alice), 'first create refused');
    t.false(await store.createUser(user('ALICE')), 'duplicate accepted');
    const found = await store.findUser('aLiCe');
    t.like(found, { id: alice.id, username: 'Alice', disabled: false });
    t.is(found?.permissions[0], 'logs:read');
    t.is(await store.findUser('bob'), undefined, 'unknown user found');
    t.is((await store.listUsers()).length, 1);
  });

  withStore(
    'a user of an identity provider: found by issuer and subject, no password, two kinds of permission',
    async (t, store) => {
      const identity = { issuer: 'https://idp.example', subject: 'subject-1' };
      const carol = {
        id: randomUUID(),
        username: 'carol',
        permissions: ['logs:read:ops'],
        providerPermissions: ['logs:read:dev', 'logs:read:ops'],
        identity,
        createdAt: 1_000,
      };
      t.true(await store.createUser(carol));
      t.false(await store.createUser({ ...carol, id: randomUUID(), username: 'carol2' }), 'the identity is taken');
      t.false(await store.createUser({ ...user('CAROL') }), 'the username is taken');
      t.false(await store.createUser({ ...carol, id: randomUUID(), identity: { ...identity, subject: 'other' } }));
      const found = await store.findUserByIdentity(identity);
      t.like(found, { id: carol.id, username: 'carol', passwordHash: undefined, identity });
      t.is(await store.findUserByIdentity({ ...identity, issuer: 'https://other.example' }), undefined);
      await store.createUser(user('local'));
      t.like(await store.findUser('local'), { identity: undefined, providerPermissions: [] });
      await store.setProviderPermissions(carol.id, ['logs:read:dev']);
      t.deepEqual((await store.findUser('carol'))?.permissions, ['logs:read:ops'], 'grants stay apart');
      const live = session(carol.id);
      await store.createSession(live, maxSessions);
      t.deepEqual((await store.findSession(live.id))?.permissions, ['logs:read:ops', 'logs:read:dev']);
      await store.setProviderPermissions(carol.id, ['logs:read:qa']);
      t.deepEqual(
        (await store.findSession(live.id))?.permissions,
        ['logs:read:ops', 'logs:read:qa'],
        'a session looked up before sees it',
      );
    },
  );

  withStore('a session is found with its user, touched only forward, and listed while live', async (t, store) => {
    const owner = user('owner', ['a', 'b']);
    await store.createUser(owner);
    const live = session(owner.id);
    const idle = session(owner.id, { lastSeenAt: 1_000 });
    const expired = session(owner.id, { expiresAt: 10_001 });
    for (const each of [live, idle, expired]) await store.createSession(each, maxSessions);
    const found = await store.findSession(live.id);
    t.like(found, { username: 'owner', secretHash: live.secretHash });
    t.deepEqual(found?.permissions, ['a', 'b']);
    await store.touchSession(live.id, 20_000);
    await store.touchSession(live.id, 15_000);
    t.is((await store.findSession(live.id))?.lastSeenAt, 20_000, 'touch went backwards');
    const listed = await store.listSessions(owner.id, { now: 50_000, lastSeenAfter: 5_000 });
    t.deepEqual(
      listed.map((each) => each.id),
      [live.id],
    );
  });

  withStore(
    "a session past its user's limit ends the oldest; sessions are listed a page at a time",
    async (t, store) => {
      const [owner, other] = [user('capped'), user('uncapped')];
      await store.createUser(owner);
      await store.createUser(other);
      const made = [1, 2, 3, 4].map((index) => session(owner.id, { createdAt: 10_000 + index }));
      const ended: number[] = [];
      for (const each of made) {
        await store.findSession(made[0]!.id);
        ended.push(await store.createSession(each, 3));
      }
      await store.createSession(session(other.id), 3);
      t.deepEqual(ended, [0, 0, 0, 1]);
      t.is(await store.findSession(made[0]!.id), undefined, 'the oldest session was kept, or found after it ended');
      const live = { now: 50_000, lastSeenAfter: 0 };
      const first = await store.listSessions(owner.id, live, { limit: 2 });
      t.deepEqual(
        first.map((each) => each.id),
        [made[3]!.id, made[2]!.id],
        'first page',
      );
      const rest = await store.listSessions(owner.id, live, { limit: 2, after: first[1]! });
      t.deepEqual(
        rest.map((each) => each.id),
        [made[1]!.id],
        'second page',
      );
    },
  );

  withStore(
    'logins of one user at once on two stores leave it no more sessions than its limit',
    async (t, store, subject) => {
      const second = await subject.reopen();
      try {
        const owner = user('busy');
        await store.createUser(owner);
        await Promise.all(
          Array.from({ length: 12 }, (_, index) =>
            (index % 2 ? store : second).createSession(session(owner.id, { createdAt: 10_000 + index }), 4),
          ),
        );
        const listed = await store.listSessions(owner.id, { now: 50_000, lastSeenAfter: 0 });
        t.is(listed.length, 4);
      } finally {
        await second.close();
      }
    },
  );

  withStore('sessions end one by one (scoped to their user), all at once, and by purge', async (t, store) => {
    const [owner, other] = [user('owner'), user('other')];
    await store.createUser(owner);
    await store.createUser(other);
    const [a, b, c] = [session(owner.id), session(owner.id), session(other.id, { expiresAt: 20_000 })];
    for (const each of [a, b, c]) await store.createSession(each, maxSessions);
    t.false(await store.deleteSession(a.id, other.id), 'deleted another user session');
    t.true(await store.deleteSession(a.id, owner.id), 'own session not deleted');
    t.false(await store.deleteSession(a.id), 'deleted twice');
    t.is(await store.deleteUserSessions(owner.id), 1, 'end all');
    t.is(await store.purgeSessions(30_000, 0), 1, 'purge by expiry');
    t.is(await store.findSession(c.id), undefined, 'purged session found');
  });

  withStore('disabling a user and changing its password end its sessions; re-hashing does not', async (t, store) => {
    const owner = user('owner');
    await store.createUser(owner);
    const first = session(owner.id);
    await store.createSession(first, maxSessions);
    await store.setPasswordHash(owner.id, 'rehashed', { endSessions: false });
    t.truthy(await store.findSession(first.id), 'rehash ended the session');
    await store.setPasswordHash(owner.id, 'changed', { endSessions: true });
    t.is(await store.findSession(first.id), undefined, 'password change kept the session');
    const second = session(owner.id);
    await store.createSession(second, maxSessions);
    await store.setDisabled(owner.id, true);
    t.is(await store.findSession(second.id), undefined, 'disable kept the session');
    t.like(await store.findUser('owner'), { disabled: true, passwordHash: 'changed' });
    await store.setDisabled(owner.id, false);
    await store.setPermissions(owner.id, ['x']);
    const enabled = await store.findUser('owner');
    t.false(enabled?.disabled, 'enable');
    t.deepEqual(enabled?.permissions, ['x']);
  });

  withStore('login failures are counted per username and address, cleared and purged', async (t, store) => {
    for (const at of [1_000, 2_000, 3_000]) await failure(store, 'alice', '10.0.0.1', at);
    await failure(store, 'alice', '10.0.0.2', 2_500);
    t.deepEqual(await store.loginFailures('alice', '10.0.0.1', 1_500), [2_000, 3_000]);
    await store.clearLoginFailures('alice', '10.0.0.1');
    t.deepEqual(await store.loginFailures('alice', '10.0.0.1', 0), [], 'not cleared');
    t.is(await store.purgeLoginFailures(3_000), 1, 'purge');
  });

  withStore("a username's login failures are cleared from every address at once, no other's", async (t, store) => {
    for (const [address, at] of [
      ['10.0.0.1', 1_000],
      ['10.0.0.1', 1_500],
      ['2001:db8::/64', 2_000],
    ] as const) {
      await failure(store, 'heidi', address, at);
    }
    await failure(store, 'ivan', '10.0.0.1', 2_500);
    t.is(await store.clearAccountLoginFailures('heidi'), 3);
    t.deepEqual(await store.accountLoginFailures('heidi', 0), []);
    t.deepEqual(await store.accountLoginFailures('ivan', 0), [{ clientAddress: '10.0.0.1', failedAt: 2_500 }]);
    t.true(
      await store.reserveLoginAttempt('heidi', '10.0.0.1', 3_000, { ...roomy, maxFailures: 1 }),
      'a failure cleared still counted',
    );
  });

  withStore(
    'login failures of a username are counted across addresses; a session marks a known address',
    async (t, store) => {
      for (const [address, at] of [
        ['10.0.0.1', 1_000],
        ['10.0.0.2', 2_000],
        ['10.0.0.3', 3_000],
      ] as const) {
        await failure(store, 'carol', address, at);
      }
      await failure(store, 'dave', '10.0.0.1', 2_500);
      t.deepEqual(await store.accountLoginFailures('carol', 1_500), [
        { clientAddress: '10.0.0.2', failedAt: 2_000 },
        { clientAddress: '10.0.0.3', failedAt: 3_000 },
      ]);
      const carol = user('Carol');
      await store.createUser(carol);
      await store.createSession(session(carol.id, { clientAddress: '10.0.0.7' }), maxSessions);
      await store.createSession(session(carol.id, { clientAddress: '2001:db8::1' }), maxSessions);
      await store.createSession(session(carol.id, { clientAddress: '10.0.0.7' }), maxSessions);
      t.deepEqual((await store.sessionAddresses('carol')).sort(), ['10.0.0.7', '2001:db8::1']);
      t.deepEqual(await store.sessionAddresses('dave'), [], 'another user matched');
    },
  );

  withStore(
    'attempts arriving at once on two stores are reserved up to the limit of their address',
    async (t, store, subject) => {
      const second = await subject.reopen();
      try {
        const limits = { ...roomy, maxFailures: 5 };
        const reserved = await Promise.all(
          Array.from({ length: 40 }, (_, index) =>
            (index % 2 ? store : second).reserveLoginAttempt('eve', '10.0.0.9', 1_000 + index, limits),
          ),
        );
        t.is(reserved.filter(Boolean).length, 5, 'reserved');
        t.is((await store.loginFailures('eve', '10.0.0.9', 0)).length, 5, 'refused ones recorded');
        t.true(await second.reserveLoginAttempt('eve', '10.0.0.10', 2_000, limits), 'other address');
        t.true(
          await second.reserveLoginAttempt('eve', '10.0.0.9', 2_000, { ...limits, since: 1_040 }),
          'failures before the window counted',
        );
      } finally {
        await second.close();
      }
    },
  );

  withStore(
    'past the account limit only a known address is reserved; one address alone never reaches it',
    async (t, store) => {
      const limits = { ...roomy, maxFailures: 10, accountMaxFailures: 4, addressShare: 3 };
      for (let index = 0; index < 10; index += 1) {
        t.true(
          await store.reserveLoginAttempt('frank', '10.0.1.1', 1_000 + index, limits),
          `one address met the account limit at its attempt ${index + 1}`,
        );
      }
      t.true(await store.reserveLoginAttempt('frank', '10.0.1.2', 2_000, limits), 'second address');
      t.false(await store.reserveLoginAttempt('frank', '10.0.1.3', 3_000, limits), 'past the account limit');
      t.true(
        await store.reserveLoginAttempt('frank', '10.0.1.3', 3_000, { ...limits, knownAddress: true }),
        'a known address was refused',
      );
      t.true(
        await store.reserveLoginAttempt('frank', '10.0.1.4', 4_000, { ...limits, accountSince: 2_000 }),
        'failures before the account window counted',
      );
      t.true(await store.reserveLoginAttempt('grace', '10.0.1.3', 3_000, limits), 'another username');
    },
  );

  withStore(
    'stores opened at once on one database share it; migrating again is harmless',
    async (t, store, subject) => {
      const [second, third] = await Promise.all([subject.reopen(), subject.reopen()]);
      try {
        const shared = user('shared');
        await store.createUser(shared);
        t.is((await second.findUser('shared'))?.id, shared.id, 'not shared');
        const made = session(shared.id);
        await third.createSession(made, maxSessions);
        t.truthy(await store.findSession(made.id), 'session not shared');
        await second.deleteSession(made.id);
        t.is(await third.findSession(made.id), undefined, 'revocation not shared');
      } finally {
        await second.close();
        await third.close();
      }
    },
  );

  withStore(
    'a session already looked up sees changes made through another store at the next lookup',
    async (t, store, subject) => {
      const second = await subject.reopen();
      try {
        const owner = user('watched', ['logs:read:a']);
        await store.createUser(owner);
        const kept = session(owner.id);
        const revoked = session(owner.id);
        await store.createSession(kept, maxSessions);
        await store.createSession(revoked, maxSessions);
        t.deepEqual((await store.findSession(kept.id))?.permissions, ['logs:read:a'], 'first lookup');
        await store.findSession(revoked.id);

        await second.setPermissions(owner.id, ['logs:read:b']);
        t.deepEqual((await store.findSession(kept.id))?.permissions, ['logs:read:b'], 'grant not seen');
        await second.deleteSession(revoked.id);
        t.is(await store.findSession(revoked.id), undefined, 'revocation not seen');
        await second.setDisabled(owner.id, true);
        t.is(await store.findSession(kept.id), undefined, 'disabled user still has a session');
      } finally {
        await second.close();
      }
    },
  );

  withStore('a session ended through the same store is not found again', async (t, store) => {
    const owner = user('local');
    await store.createUser(owner);
    const made = session(owner.id);
    await store.createSession(made, maxSessions);
    await store.findSession(made.id);
    await store.touchSession(made.id, 20_000);
    t.is((await store.findSession(made.id))?.lastSeenAt, 20_000, 'touch not seen');
    await store.deleteUserSessions(owner.id);
    t.is(await store.findSession(made.id), undefined, 'ended session found');
  });

  withStore(
    'every write that could change a verdict records one change, numbered densely; one that changes nothing, none',
    async (t, store) => {
      const owner = user('changing', ['logs:read:a']);
      await store.createUser(owner);
      const first = session(owner.id);
      await store.createSession(first, 2);
      await store.touchSession(first.id, 20_000);
      await store.setPermissions(owner.id, ['logs:read:a']);
      await store.setPasswordHash(owner.id, 'rehashed', { endSessions: false });
      await store.setDisabled(owner.id, false);
      t.deepEqual(await store.changesAfter(0, 100), [], 'a write that changes no verdict recorded one');

      await store.setPermissions(owner.id, ['logs:read:b']);
      await store.setProviderPermissions(owner.id, ['logs:read:c']);
      await store.setProviderPermissions(owner.id, ['logs:read:c']);
      t.true(await store.deleteSession(first.id));
      t.false(await store.deleteSession(first.id));
      const [second, third, fourth] = [1, 2, 3].map((index) => session(owner.id, { createdAt: 10_000 + index }));
      for (const each of [second, third]) await store.createSession(each!, 2);
      await store.createSession(fourth!, 2);
      await store.deleteUserSessions(owner.id);
      await store.deleteUserSessions(owner.id);
      await store.createSession(session(owner.id), 2);
      await store.setPasswordHash(owner.id, 'changed', { endSessions: true });
      await store.setDisabled(owner.id, true);
      await store.setDisabled(owner.id, false);
      await store.createSession(session(owner.id, { expiresAt: 20_000 }), 2);
      await store.purgeSessions(30_000, 0);
      await store.purgeSessions(30_000, 0);

      const changes = await store.changesAfter(0, 100);
      t.deepEqual(
        changes.map(({ seq, kind, sessionId, userId }) => ({ seq, kind, sessionId, userId })),
        [
          { seq: 1, kind: 'permissions-changed', sessionId: undefined, userId: owner.id },
          { seq: 2, kind: 'provider-permissions-changed', sessionId: undefined, userId: owner.id },
          { seq: 3, kind: 'session-ended', sessionId: first.id, userId: undefined },
          { seq: 4, kind: 'sessions-evicted', sessionId: undefined, userId: owner.id },
          { seq: 5, kind: 'sessions-ended', sessionId: undefined, userId: owner.id },
          { seq: 6, kind: 'password-changed', sessionId: undefined, userId: owner.id },
          { seq: 7, kind: 'user-disabled', sessionId: undefined, userId: owner.id },
          { seq: 8, kind: 'user-enabled', sessionId: undefined, userId: owner.id },
          { seq: 9, kind: 'sessions-expired', sessionId: undefined, userId: undefined },
        ],
      );
      t.is(changes.at(-1)?.at, 30_000, "a purge's change is dated by its clock");
      t.deepEqual(
        (await store.changesAfter(2, 2)).map((change) => change.seq),
        [3, 4],
      );
      t.deepEqual(await store.changeSpan(), { first: 1, last: 9 });
    },
  );

  withStore(
    'changes committed at once through two stores are numbered densely, in commit order',
    async (t, store, subject) => {
      const second = await subject.reopen();
      try {
        const owners = Array.from({ length: 10 }, (_, index) => user(`busy${index}`));
        for (const owner of owners) await store.createUser(owner);
        await Promise.all(
          owners.flatMap((owner, index) =>
            [1, 2, 3].map((round) => (index % 2 ? store : second).setPermissions(owner.id, [`logs:read:r${round}`])),
          ),
        );
        const seqs = (await second.changesAfter(0, 100)).map((change) => change.seq);
        t.deepEqual(
          seqs,
          Array.from({ length: 30 }, (_, index) => index + 1),
        );
      } finally {
        await second.close();
      }
    },
  );

  withStore('purging changes keeps the newest, which the next one follows', async (t, store) => {
    const owner = user('purged');
    await store.createUser(owner);
    for (const round of [1, 2, 3]) await store.setPermissions(owner.id, [`logs:read:r${round}`]);
    t.deepEqual(await store.changeSpan(), { first: 1, last: 3 });
    t.is(await store.purgeChanges(Date.now() + 60_000), 2);
    t.deepEqual(await store.changeSpan(), { first: 3, last: 3 });
    await store.setPermissions(owner.id, []);
    t.deepEqual(
      (await store.changesAfter(0, 10)).map((change) => change.seq),
      [3, 4],
    );
  });

  withStore(
    "a store is told of its own changes before they resolve, and soon of another store's",
    async (t, store, subject) => {
      const second = await subject.reopen();
      const told: number[] = [];
      const stop = store.watchChanges(async () => {
        told.push((await store.changeSpan()).last);
      }, 10);
      try {
        const owner = user('watcher');
        await store.createUser(owner);
        await store.setPermissions(owner.id, ['logs:read:a']);
        t.true(told.includes(1), 'its own change was not told before the write resolved');
        await second.setPermissions(owner.id, ['logs:read:b']);
        const deadline = Date.now() + 3000;
        while (!told.includes(2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        t.true(told.includes(2), "another store's change was not told");
      } finally {
        stop();
        await second.close();
      }
    },
  );
}
