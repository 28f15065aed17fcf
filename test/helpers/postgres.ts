import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server CI and the dev machines run; a test that cannot reach it fails, it is never skipped. */
export const postgresServer = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file, dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `auth_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${postgresServer}/postgres`, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${postgresServer}/${name}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: `${postgresServer}/postgres` });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
