import Koa from 'koa';
import type { Document } from 'openapi-backend';
import { docsHandlers } from '../common/docs.js';
import { logStreamFailures, requestEnvelope } from '../common/envelope.js';
import { healthHandlers } from '../common/health.js';
import type { Logger } from '../common/logger.js';
import { Routes } from '../common/routes.js';
import type { CompiledSpec } from '../common/spec.js';
import type { operations } from '../generated/logs.js';
import type { AuthClient } from './auth-client.js';
import { Follows, type FollowPolicy } from './follows.js';
import { kubernetesStatus } from './kube/status.js';
import { logFileProblem } from './log-file-problem.js';
import { addKubernetesRoutes } from './routes/kubernetes.js';
import { addLogRoutes } from './routes/logs.js';
import { addPodListRoutes } from './routes/pods.js';
import { addViewerRoutes } from './routes/viewer.js';
import type { ViewerAssets } from './viewer-assets.js';
import { viewerProblemPage } from './viewer-page.js';
import type { BrowserConfig } from './config.js';
import type { LogSource } from './sources/source.js';
import type { Verdicts } from './verdicts.js';

export interface LogsAppParts {
  spec: Document;
  operations: CompiledSpec;
  authClient: AuthClient;
  verdicts: Verdicts;
  source: LogSource;
  realm: string;
  logger: Logger;
  /** Aborted when the service stops: followed logs end then instead of being cut. */
  stopping: AbortSignal;
  follows: FollowPolicy;
  writeTimeoutMs: number;
  browser: BrowserConfig;
  /** Where browsers reach logs-app, known once it listens. */
  publicUrl: () => string;
  viewer: ViewerAssets | undefined;
}

/** Every operation of openapi/logs.yaml, routed; the table refuses an operationId the spec lacks. */
function logsRoutes(parts: LogsAppParts): Routes<operations> {
  const routes = new Routes<operations>(parts.operations, 'openapi/logs.yaml');
  routes.handlers(
    healthHandlers([
      { name: 'auth-app', check: () => parts.authClient.ready() },
      { name: 'the log source', check: () => parts.source.ready() },
    ]),
  );
  routes.handlers(docsHandlers(parts.spec, 'logs-app API'));
  const sessionCheck = {
    verdicts: parts.verdicts,
    realm: parts.realm,
    cookieName: parts.browser.sessionCookie,
  };
  const follows = new Follows(parts.follows, parts.stopping);
  parts.verdicts.onChange((affected) => follows.sessionsChanged(affected));
  const logRoutes = {
    source: parts.source,
    sessionCheck,
    follows,
    writeTimeoutMs: parts.writeTimeoutMs,
  };
  addLogRoutes(routes, logRoutes);
  addKubernetesRoutes(routes, logRoutes);
  addPodListRoutes(routes, parts.source.catalog, sessionCheck);
  addViewerRoutes(routes, { sessionCheck, browser: parts.browser, publicUrl: parts.publicUrl, assets: parts.viewer });
  return routes;
}

export function createLogsApp(parts: LogsAppParts): Koa {
  const app = new Koa();
  logStreamFailures(app, parts.logger);
  app.use(
    requestEnvelope({
      logger: parts.logger,
      translate: logFileProblem,
      writeProblem: (ctx, problem) => kubernetesStatus(ctx, problem) ?? viewerProblemPage(ctx, problem),
    }),
  );
  logsRoutes(parts).serve(app);
  return app;
}
