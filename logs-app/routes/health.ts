import Router from '@koa/router';
import type { operations } from '../../generated/logs.js';
import { operation } from '../../common/operation.js';
import { Problem } from '../../common/problem.js';
import type { AuthClient } from '../auth-client.js';
import type { LogSource } from '../sources/source.js';

export function healthRoutes(client: AuthClient, source: LogSource): Router {
  const router = new Router();
  router.get(
    '/healthz',
    operation<operations['health']>(() => ({ status: 200, body: { status: 'ok' } })),
  );
  router.get(
    '/readyz',
    operation<operations['readiness']>(async () => {
      const [auth, logs] = await Promise.allSettled([client.ready(), source.ready()]);
      const failing = [
        auth.status === 'rejected' ? 'auth-app' : '',
        logs.status === 'rejected' ? 'the log source' : '',
      ];
      const names = failing.filter(Boolean);
      if (names.length > 0) {
        throw new Problem('unavailable', {
          detail: `Not ready: ${names.join(' and ')} unusable`,
          headers: { 'Retry-After': '5' },
        });
      }
      return { status: 200, body: { status: 'ok' } };
    }),
  );
  return router;
}
