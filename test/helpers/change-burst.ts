import { openStore } from '../../auth-app/store/open.js';

/**
 * Run as its own process, as the admin CLI is: `<database URL> <user id> <count> <other user id>` changes the first
 * user's permissions `count` times, one transaction each, and halfway through takes every permission of the other.
 */
const [databaseUrl = '', churn = '', count = '0', revoked = ''] = process.argv.slice(2);
const store = await openStore(databaseUrl, { poolSize: 1, connectTimeoutMs: 5000, queryTimeoutMs: 5000 });
const total = Number(count);
for (let round = 0; round < total; round += 1) {
  if (round === Math.floor(total / 2)) await store.setPermissions(revoked, []);
  else await store.setPermissions(churn, [`logs:read:r${round}`]);
}
await store.close();
