import { hash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { Problem } from '../common/problem.js';
import type { RequestState } from '../common/logger.js';

export const serviceTokenHeader = 'x-service-token';

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

/**
 * Lets only services through: a caller must send the shared secret (AUTH_SERVICE_TOKEN) as X-Service-Token,
 * compared in constant time (of equal-length digests). A refused call is named so in its request line, with the
 * number refused since start; the secret and what was sent are never logged.
 */
export function requireService(serviceToken: string | undefined, realm: string): Middleware<RequestState> {
  const expected = serviceToken === undefined ? undefined : digest(serviceToken);
  const challenge = { 'WWW-Authenticate': `X-Service-Token realm="${realm}"` };
  let refused = 0;
  return async function requireService(ctx, next) {
    const sent = ctx.get(serviceTokenHeader);
    const reason = !expected
      ? 'not-configured'
      : !sent
        ? 'missing'
        : timingSafeEqual(digest(sent), expected)
          ? ''
          : 'wrong';
    if (!reason) return next();
    refused += 1;
    ctx.state.requestLine.message = 'service call refused';
    Object.assign(ctx.state.requestLine.fields, { reason, refusedServiceCalls: refused });
    throw new Problem('serviceTokenRequired', {
      detail: expected
        ? 'Send the service token as X-Service-Token'
        : 'auth-app has no service token: set AUTH_SERVICE_TOKEN (or AUTH_SERVICE_TOKEN_FILE) on auth-app, and the same value as LOGS_SERVICE_TOKEN on logs-app',
      headers: challenge,
    });
  };
}
