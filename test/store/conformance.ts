import { randomUUID } from 'node:crypto';
import test from 'ava';
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
  const withStore = (title: string, body: (store: Store, subject: StoreUnderTest) => Promise<void>) =>
    test(`${backend}: ${title}`, async (t) => {
      const subject = await open();
      t.teardown(() => subject.cleanup());
      await body(subject.store, subject);
      t.pass();
    });

  withStore('usernames are unique case-insensitively and found in any case', async (store) => {
    const alice = user('Alice', ['logs:read']);
    if (!(await store.createUser(alice))) throw new Error('first create refused');
    if (await store.createUser(user('ALICE'))) throw new Error('duplicate accepted');
    const found = await store.findUser('aLiCe');
    if (
      found?.id !== alice.id ||
      found.username !== 'Alice' ||
      found.permissions[0] !== 'logs:read' ||
      found.disabled
    ) {
      throw new Error(`unexpected ${JSON.stringify(found)}`);
    }
    if ((await store.findUser('bob')) !== undefined) throw new Error('unknown user found');
    if ((await store.listUsers()).length !== 1) throw new Error('list');
  });

  withStore('a session is found with its user, touched only forward, and listed while live', async (store) => {
    const owner = user('owner', ['a', 'b']);
    await store.createUser(owner);
    const live = session(owner.id);
    const idle = session(owner.id, { lastSeenAt: 1_000 });
    const expired = session(owner.id, { expiresAt: 10_001 });
    for (const each of [live, idle, expired]) await store.createSession(each, maxSessions);
    const found = await store.findSession(live.id);
    if (found?.username !== 'owner' || found.permissions.join() !== 'a,b' || found.secretHash !== live.secretHash) {
      throw new Error(`unexpected ${JSON.stringify(found)}`);
    }
    await store.touchSession(live.id, 20_000);
    await store.touchSession(live.id, 15_000);
    if ((await store.findSession(live.id))?.lastSeenAt !== 20_000) throw new Error('touch went backwards');
    const listed = await store.listSessions(owner.id, { now: 50_000, lastSeenAfter: 5_000 });
    if (listed.map((each) => each.id).join() !== live.id) throw new Error(`listed ${listed.map((each) => each.id)}`);
  });

  withStore("a session past its user's limit ends the oldest; sessions are listed a page at a time", async (store) => {
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
    if (ended.join() !== '0,0,0,1') throw new Error(`ended ${ended.join()}`);
    if (await store.findSession(made[0]!.id)) throw new Error('the oldest session was kept, or found after it ended');
    const live = { now: 50_000, lastSeenAfter: 0 };
    const first = await store.listSessions(owner.id, live, { limit: 2 });
    if (first.map((each) => each.id).join() !== [made[3]!.id, made[2]!.id].join()) throw new Error('first page');
    const rest = await store.listSessions(owner.id, live, { limit: 2, after: first[1]! });
    if (rest.map((each) => each.id).join() !== made[1]!.id) throw new Error('second page');
  });

  withStore(
    'logins of one user at once on two stores leave it no more sessions than its limit',
    async (store, subject) => {
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
        if (listed.length !== 4) throw new Error(`${listed.length} sessions`);
      } finally {
        await second.close();
      }
    },
  );

  withStore('sessions end one by one (scoped to their user), all at once, and by purge', async (store) => {
    const [owner, other] = [user('owner'), user('other')];
    await store.createUser(owner);
    await store.createUser(other);
    const [a, b, c] = [session(owner.id), session(owner.id), session(other.id, { expiresAt: 20_000 })];
    for (const each of [a, b, c]) await store.createSession(each, maxSessions);
    if (await store.deleteSession(a.id, other.id)) throw new Error('deleted another user session');
    if (!(await store.deleteSession(a.id, owner.id))) throw new Error('own session not deleted');
    if (await store.deleteSession(a.id)) throw new Error('deleted twice');
    if ((await store.deleteUserSessions(owner.id)) !== 1) throw new Error('end all');
    if ((await store.purgeSessions(30_000, 0)) !== 1) throw new Error('purge by expiry');
    if ((await store.findSession(c.id)) !== undefined) throw new Error('purged session found');
  });

  withStore('disabling a user and changing its password end its sessions; re-hashing does not', async (store) => {
    const owner = user('owner');
    await store.createUser(owner);
    const first = session(owner.id);
    await store.createSession(first, maxSessions);
    await store.setPasswordHash(owner.id, 'rehashed', { endSessions: false });
    if (!(await store.findSession(first.id))) throw new Error('rehash ended the session');
    await store.setPasswordHash(owner.id, 'changed', { endSessions: true });
    if (await store.findSession(first.id)) throw new Error('password change kept the session');
    const second = session(owner.id);
    await store.createSession(second, maxSessions);
    await store.setDisabled(owner.id, true);
    if (await store.findSession(second.id)) throw new Error('disable kept the session');
    const found = await store.findUser('owner');
    if (!found?.disabled || found.passwordHash !== 'changed') throw new Error('user not updated');
    await store.setDisabled(owner.id, false);
    await store.setPermissions(owner.id, ['x']);
    const enabled = await store.findUser('owner');
    if (enabled?.disabled || enabled?.permissions.join() !== 'x') throw new Error('enable or permissions');
  });

  withStore('login failures are counted per username and address, cleared and purged', async (store) => {
    for (const at of [1_000, 2_000, 3_000]) await failure(store, 'alice', '10.0.0.1', at);
    await failure(store, 'alice', '10.0.0.2', 2_500);
    const counted = await store.loginFailures('alice', '10.0.0.1', 1_500);
    if (counted.join() !== '2000,3000') throw new Error(`counted ${counted}`);
    await store.clearLoginFailures('alice', '10.0.0.1');
    if ((await store.loginFailures('alice', '10.0.0.1', 0)).length !== 0) throw new Error('not cleared');
    if ((await store.purgeLoginFailures(3_000)) !== 1) throw new Error('purge');
  });

  withStore(
    'login failures of a username are counted across addresses; a session marks a known address',
    async (store) => {
      for (const [address, at] of [
        ['10.0.0.1', 1_000],
        ['10.0.0.2', 2_000],
        ['10.0.0.3', 3_000],
      ] as const) {
        await failure(store, 'carol', address, at);
      }
      await failure(store, 'dave', '10.0.0.1', 2_500);
      const latest = (await store.accountLoginFailures('carol', 1_500)).map(
        (each) => `${each.clientAddress}@${each.failedAt}`,
      );
      if (latest.join() !== '10.0.0.2@2000,10.0.0.3@3000') throw new Error(`account failures ${latest.join()}`);
      const carol = user('Carol');
      await store.createUser(carol);
      await store.createSession(session(carol.id, { clientAddress: '10.0.0.7' }), maxSessions);
      await store.createSession(session(carol.id, { clientAddress: '2001:db8::1' }), maxSessions);
      await store.createSession(session(carol.id, { clientAddress: '10.0.0.7' }), maxSessions);
      const addresses = (await store.sessionAddresses('carol')).sort().join();
      if (addresses !== '10.0.0.7,2001:db8::1') throw new Error(`session addresses ${addresses}`);
      if ((await store.sessionAddresses('dave')).length > 0) throw new Error('another user matched');
    },
  );

  withStore(
    'attempts arriving at once on two stores are reserved up to the limit of their address',
    async (store, subject) => {
      const second = await subject.reopen();
      try {
        const limits = { ...roomy, maxFailures: 5 };
        const reserved = await Promise.all(
          Array.from({ length: 40 }, (_, index) =>
            (index % 2 ? store : second).reserveLoginAttempt('eve', '10.0.0.9', 1_000 + index, limits),
          ),
        );
        if (reserved.filter(Boolean).length !== 5) throw new Error(`${reserved.filter(Boolean).length} reserved`);
        if ((await store.loginFailures('eve', '10.0.0.9', 0)).length !== 5) throw new Error('refused ones recorded');
        if (!(await second.reserveLoginAttempt('eve', '10.0.0.10', 2_000, limits))) throw new Error('other address');
        if (!(await second.reserveLoginAttempt('eve', '10.0.0.9', 2_000, { ...limits, since: 1_040 }))) {
          throw new Error('failures before the window counted');
        }
      } finally {
        await second.close();
      }
    },
  );

  withStore(
    'past the account limit only a known address is reserved; one address alone never reaches it',
    async (store) => {
      const limits = { ...roomy, maxFailures: 10, accountMaxFailures: 4, addressShare: 3 };
      for (let index = 0; index < 10; index += 1) {
        if (!(await store.reserveLoginAttempt('frank', '10.0.1.1', 1_000 + index, limits))) {
          throw new Error(`one address met the account limit at its attempt ${index + 1}`);
        }
      }
      if (!(await store.reserveLoginAttempt('frank', '10.0.1.2', 2_000, limits))) throw new Error('second address');
      if (await store.reserveLoginAttempt('frank', '10.0.1.3', 3_000, limits))
        throw new Error('past the account limit');
      if (!(await store.reserveLoginAttempt('frank', '10.0.1.3', 3_000, { ...limits, knownAddress: true }))) {
        throw new Error('a known address was refused');
      }
      if (!(await store.reserveLoginAttempt('frank', '10.0.1.4', 4_000, { ...limits, accountSince: 2_000 }))) {
        throw new Error('failures before the account window counted');
      }
      if (!(await store.reserveLoginAttempt('grace', '10.0.1.3', 3_000, limits))) throw new Error('another username');
    },
  );

  withStore('stores opened at once on one database share it; migrating again is harmless', async (store, subject) => {
    const [second, third] = await Promise.all([subject.reopen(), subject.reopen()]);
    try {
      const shared = user('shared');
      await store.createUser(shared);
      if ((await second.findUser('shared'))?.id !== shared.id) throw new Error('not shared');
      const made = session(shared.id);
      await third.createSession(made, maxSessions);
      if (!(await store.findSession(made.id))) throw new Error('session not shared');
      await second.deleteSession(made.id);
      if (await third.findSession(made.id)) throw new Error('revocation not shared');
    } finally {
      await second.close();
      await third.close();
    }
  });

  withStore(
    'a session already looked up sees changes made through another store at the next lookup',
    async (store, subject) => {
      const second = await subject.reopen();
      try {
        const owner = user('watched', ['logs:read:a']);
        await store.createUser(owner);
        const kept = session(owner.id);
        const revoked = session(owner.id);
        await store.createSession(kept, maxSessions);
        await store.createSession(revoked, maxSessions);
        if ((await store.findSession(kept.id))?.permissions.join() !== 'logs:read:a') throw new Error('first lookup');
        await store.findSession(revoked.id);

        await second.setPermissions(owner.id, ['logs:read:b']);
        if ((await store.findSession(kept.id))?.permissions.join() !== 'logs:read:b') throw new Error('grant not seen');
        await second.deleteSession(revoked.id);
        if (await store.findSession(revoked.id)) throw new Error('revocation not seen');
        await second.setDisabled(owner.id, true);
        if (await store.findSession(kept.id)) throw new Error('disabled user still has a session');
      } finally {
        await second.close();
      }
    },
  );

  withStore('a session ended through the same store is not found again', async (store) => {
    const owner = user('local');
    await store.createUser(owner);
    const made = session(owner.id);
    await store.createSession(made, maxSessions);
    await store.findSession(made.id);
    await store.touchSession(made.id, 20_000);
    if ((await store.findSession(made.id))?.lastSeenAt !== 20_000) throw new Error('touch not seen');
    await store.deleteUserSessions(owner.id);
    if (await store.findSession(made.id)) throw new Error('ended session found');
  });
}
