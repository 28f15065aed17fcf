import Koa from 'koa';
import type { Document } from 'openapi-backend';
import { addDocsRoutes } from '../common/docs.js';
import { addHealthRoutes } from '../common/health.js';
import { requestEnvelope } from '../common/envelope.js';
import type { Logger } from '../common/logger.js';
import { Problem } from '../common/problem.js';
import { createRoutes } from '../common/routes.js';
import type { SpecValidator } from '../common/spec.js';
import { validateRequests } from '../common/validate-request.js';
import { authenticate } from './authenticate.js';
import type { AuthConfig } from './config.js';
import type { Login } from './login.js';
import { addLoginRoutes } from './routes/login.js';
import { addSessionListRoutes } from './routes/sessions.js';
import { requireService } from './require-service.js';
import { addSessionRoutes } from './routes/session.js';
import type { Sessions } from './sessions.js';
import { StoreUnavailableError } from './store/driver.js';
import type { Store } from './store/store.js';

export interface AuthAppParts {
  config: AuthConfig;
  spec: Document;
  validator: SpecValidator;
  store: Store;
  sessions: Sessions;
  login: Login;
  logger: Logger;
}

const storeFailure = (error: unknown) =>
  error instanceof StoreUnavailableError
    ? new Problem('unavailable', { detail: 'The session store is unreachable', headers: { 'Retry-After': '5' } })
    : undefined;

export function createAuthApp(parts: AuthAppParts): Koa {
  const { config, sessions } = parts;
  const app = new Koa();
  const requireSession = authenticate(sessions, config.realm);
  app.use(
    requestEnvelope({
      logger: parts.logger,
      translate: storeFailure,
      headers: { 'Cache-Control': 'no-store' },
    }),
  );
  app.use(validateRequests(parts.validator));
  const routes = createRoutes();
  addHealthRoutes(routes, [{ name: 'the session store', check: () => parts.store.ping() }]);
  addDocsRoutes(routes, parts.spec, 'auth-app API');
  addLoginRoutes(routes, parts.login, config);
  const onlyServices = requireService(config.serviceToken, config.realm);
  addSessionRoutes(routes, requireSession, onlyServices, sessions, config.session, config.realm);
  addSessionListRoutes(routes, requireSession, sessions, config.session);
  app.use(routes.routes()).use(routes.allowedMethods());
  return app;
}
