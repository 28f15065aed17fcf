import type { Routes } from './routes.js';
import { operation } from './operation.js';
import { Problem } from './problem.js';

/** The probes' shape, the same in both specs. */
interface ProbeOperation {
  parameters: Record<string, never>;
  responses: { 200: { content: { 'application/json': { status: 'ok' } } } };
}

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** `/healthz` answers while the process runs; `/readyz` runs every check and names the failing ones in a 503. */
export function addHealthRoutes(router: Routes, checks: ReadinessCheck[]): void {
  const ok = { status: 200, body: { status: 'ok' } } as const;
  router.get(
    '/healthz',
    operation<ProbeOperation>(() => ok),
  );
  router.get(
    '/readyz',
    operation<ProbeOperation>(async () => {
      const results = await Promise.allSettled(checks.map(({ check }) => check()));
      const failing = checks.filter((_, index) => results[index]?.status === 'rejected').map(({ name }) => name);
      if (failing.length > 0) {
        throw new Problem('unavailable', {
          detail: `Not ready: ${failing.join(' and ')} unusable`,
          headers: { 'Retry-After': '5' },
        });
      }
      return ok;
    }),
  );
}
