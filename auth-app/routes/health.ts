import Router from '@koa/router';
import type { operations } from '../../generated/auth.js';
import { operation } from '../../common/operation.js';
import type { Store } from '../store/store.js';

export function healthRoutes(store: Store): Router {
  const router = new Router();
  router.get(
    '/healthz',
    operation<operations['health']>(() => ({ status: 200, body: { status: 'ok' } })),
  );
  router.get(
    '/readyz',
    operation<operations['readiness']>(async () => {
      await store.ping();
      return { status: 200, body: { status: 'ok' } };
    }),
  );
  return router;
}
