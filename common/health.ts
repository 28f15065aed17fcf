import type { Handlers } from './routes.js';
import { Problem } from './problem.js';

/** The probes' shape, the same in both specs. */
interface ProbeOperation {
  parameters: object;
  responses: { 200: { content: { 'application/json': { status: 'ok' } } } };
}

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

interface ProbeOperations {
  health: ProbeOperation;
  readiness: ProbeOperation & { responses: { 503: { content: { 'application/problem+json': unknown } } } };
}

/** `/healthz` answers while the process runs; `/readyz` runs every check and names the failing ones in a 503. */
export function healthHandlers(checks: ReadinessCheck[]): Handlers<ProbeOperations> {
  const ok = { status: 200, body: { status: 'ok' } } as const;
  const readiness = async () => {
    const results = await Promise.allSettled(checks.map(({ check }) => check()));
    const failing = checks.filter((_, index) => results[index]?.status === 'rejected').map(({ name }) => name);
    if (failing.length > 0) {
      throw new Problem('unavailable', {
        detail: `Not ready: ${failing.join(' and ')} unusable`,
        headers: { 'Retry-After': '5' },
      });
    }
    return ok;
  };
  return { health: () => ok, readiness };
}
