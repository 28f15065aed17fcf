import test from 'ava';
import { loadSpec } from '../../common/spec.js';
import { batchBounds } from '../../logs-app/auth-client.js';
import { Batcher } from '../../logs-app/batcher.js';

test('calls made in one turn leave together, at most maxItems a send, each answered with its own result', async (t) => {
  const sends: number[][] = [];
  const batcher = new Batcher(64, async (items: number[]) => {
    sends.push(items);
    return items.map((item) => item * 2);
  });
  const results = await Promise.all(Array.from({ length: 130 }, (_, index) => batcher.add(index)));
  t.deepEqual(
    sends.map((items) => items.length),
    [64, 64, 2],
  );
  t.deepEqual(
    results,
    Array.from({ length: 130 }, (_, index) => index * 2),
  );
  t.is(await batcher.add(7), 14);
  t.is(sends.length, 4, 'a later call does not wait for company');
});

test('a failed send rejects the calls it carried and no others', async (t) => {
  const batcher = new Batcher(2, async (items: string[]) => {
    if (items.includes('bad')) throw new Error('auth-app is down');
    return items.map((item) => item.toUpperCase());
  });
  const settled = await Promise.allSettled(['a', 'bad', 'c', 'd'].map((item) => batcher.add(item)));
  t.deepEqual(
    settled.map((each) => (each.status === 'fulfilled' ? each.value : 'rejected')),
    ['rejected', 'rejected', 'C', 'D'],
  );
});

test("the auth client's batch bounds are the ones auth-app's contract declares", (t) => {
  const schemas = loadSpec('auth').components?.schemas as Record<string, unknown>;
  const checks = (
    schemas.ValidateBatchRequest as {
      properties: { checks: { maxItems: number; items: { properties: { token: { maxLength: number } } } } };
    }
  ).properties.checks;
  t.deepEqual(batchBounds, { maxChecks: checks.maxItems, maxTokenLength: checks.items.properties.token.maxLength });
});
