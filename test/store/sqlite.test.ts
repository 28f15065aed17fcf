import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../auth-app/store/open.js';
import { storeConformance } from './conformance.js';

const pool = { poolSize: 2, connectTimeoutMs: 2000, queryTimeoutMs: 2000 };

storeConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
  const url = `sqlite:${join(dir, 'auth.db')}`;
  const store = await openStore(url, pool);
  return {
    store,
    reopen: () => openStore(url, pool),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
