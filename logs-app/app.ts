import Koa from 'koa';
import type { Document } from 'openapi-backend';
import { addDocsRoutes } from '../common/docs.js';
import { addHealthRoutes } from '../common/health.js';
import { requestEnvelope } from '../common/envelope.js';
import type { Logger } from '../common/logger.js';
import { createRoutes } from '../common/routes.js';
import type { SpecValidator } from '../common/spec.js';
import { validateRequests } from '../common/validate-request.js';
import type { AuthClient } from './auth-client.js';
import { sessionGuard } from './require-session.js';
import { addLogRoutes } from './routes/logs.js';
import type { LogSource } from './sources/source.js';
import { Follows, type FollowPolicy } from './follows.js';
import { logFileProblem } from './log-file-problem.js';
import type { ValidationCache } from './validation-cache.js';

export interface LogsAppParts {
  spec: Document;
  validator: SpecValidator;
  authClient: AuthClient;
  cache: ValidationCache;
  source: LogSource;
  realm: string;
  logger: Logger;
  /** Aborted when the service stops: followed logs end then instead of being cut. */
  stopping: AbortSignal;
  follows: FollowPolicy;
  writeTimeoutMs: number;
}

export function createLogsApp(parts: LogsAppParts): Koa {
  const app = new Koa();
  const requireSession = sessionGuard({ client: parts.authClient, cache: parts.cache, realm: parts.realm });
  app.on('error', (error: NodeJS.ErrnoException) => {
    /** A client leaving a streamed answer is not a failure: its audit line says client-left. */
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') parts.logger.warn({ err: error }, 'response stream failed');
  });
  app.use(requestEnvelope({ logger: parts.logger, translate: logFileProblem }));
  app.use(validateRequests(parts.validator));
  const routes = createRoutes();
  addHealthRoutes(routes, [
    { name: 'auth-app', check: () => parts.authClient.ready() },
    { name: 'the log source', check: () => parts.source.ready() },
  ]);
  addDocsRoutes(routes, parts.spec, 'logs-app API');
  addLogRoutes(routes, {
    source: parts.source,
    requireSession,
    follows: new Follows(parts.follows, parts.stopping),
    writeTimeoutMs: parts.writeTimeoutMs,
  });
  app.use(routes.routes()).use(routes.allowedMethods());
  return app;
}
