import Router from '@koa/router';
import type { ValidatedState } from './validate-request.js';

/** One router per service: every route module adds its routes to it, so a request is matched once. */
export type Routes = Router<ValidatedState>;

/** Paths match exactly as the specs write them: `/LOGS/x` and `/logs/x/` are not `/logs/x`. */
export const createRoutes = (): Routes => new Router<ValidatedState>({ sensitive: true, strict: true });
