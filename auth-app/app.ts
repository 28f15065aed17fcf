import Koa from 'koa';
import type { Document } from 'openapi-backend';
import { docsHandlers } from '../common/docs.js';
import { requestEnvelope } from '../common/envelope.js';
import { healthHandlers } from '../common/health.js';
import type { Logger } from '../common/logger.js';
import { Problem } from '../common/problem.js';
import { Routes } from '../common/routes.js';
import type { CompiledSpec } from '../common/spec.js';
import type { operations } from '../generated/auth.js';
import type { AuthConfig } from './config.js';
import type { PasswordLogin } from './password-login.js';
import { requireService } from './require-service.js';
import { requireSession } from './require-session.js';
import { addCurrentSessionRoutes } from './routes/current-session.js';
import { addLoginRoutes } from './routes/login.js';
import { addSessionListRoutes } from './routes/session-list.js';
import { addValidateRoutes } from './routes/validate.js';
import type { Sessions } from './sessions.js';
import { StoreUnavailableError } from './store/driver.js';
import type { Store } from './store/store.js';

export interface AuthAppParts {
  config: AuthConfig;
  spec: Document;
  operations: CompiledSpec;
  store: Store;
  sessions: Sessions;
  login: PasswordLogin;
  logger: Logger;
}

const storeFailure = (error: unknown) =>
  error instanceof StoreUnavailableError
    ? new Problem('unavailable', { detail: 'The session store is unreachable', headers: { 'Retry-After': '5' } })
    : undefined;

/** Every operation of openapi/auth.yaml, routed; the table refuses an operationId the spec lacks. */
function authRoutes(parts: AuthAppParts): Routes<operations> {
  const { config, sessions } = parts;
  const routes = new Routes<operations>(parts.operations, 'openapi/auth.yaml', {
    serviceToken: requireService(config.serviceToken, config.realm),
  });
  const session = requireSession(sessions, config.realm);
  routes.handlers(healthHandlers([{ name: 'the session store', check: () => parts.store.ping() }]));
  routes.handlers(docsHandlers(parts.spec, 'auth-app API'));
  addLoginRoutes(routes, parts.login, config);
  addValidateRoutes(routes, session, sessions, config.session, config.realm);
  addCurrentSessionRoutes(routes, session, sessions, config.session);
  addSessionListRoutes(routes, session, sessions, config.session);
  return routes;
}

export function createAuthApp(parts: AuthAppParts): Koa {
  const app = new Koa();
  app.use(
    requestEnvelope({
      logger: parts.logger,
      translate: storeFailure,
      headers: { 'Cache-Control': 'no-store' },
    }),
  );
  authRoutes(parts).serve(app);
  return app;
}
