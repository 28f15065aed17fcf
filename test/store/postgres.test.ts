import { openStore } from '../../auth-app/store/open.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { storeConformance } from './conformance.js';

const pool = { poolSize: 4, connectTimeoutMs: 5000, queryTimeoutMs: 5000 };

storeConformance('postgres', async () => {
  const database = await createTestDatabase();
  const store = await openStore(database.url, pool);
  return {
    store,
    reopen: () => openStore(database.url, pool),
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});
