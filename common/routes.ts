import Router from '@koa/router';
import type { ValidatedState } from './validate-request.js';

/** One router per service: every route module adds its routes to it, so a request is matched once. */
export type Routes = Router<ValidatedState>;

export const createRoutes = (): Routes => new Router<ValidatedState>();
