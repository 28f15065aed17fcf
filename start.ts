import { randomBytes } from 'node:crypto';
import { authConfig } from './auth-app/config.js';
import { startAuthService } from './auth-app/service.js';
import { logsConfig } from './logs-app/config.js';
import { startLogsService } from './logs-app/service.js';
import { runService } from './common/serve.js';

/**
 * `npm start`: both services in one process on their embedded defaults, still talking HTTP to each other, sharing
 * AUTH_SERVICE_TOKEN when it is set and a new random service token otherwise. auth-app's sign-in sends browsers
 * back to logs-app's viewer (its origin is trusted besides AUTH_REDIRECT_ORIGINS, once logs-app listens), and
 * logs-app sends them to auth-app's pages and reads the cookie they set.
 */
await runService(async () => {
  const config = authConfig(process.env);
  const serviceToken = config.serviceToken ?? randomBytes(32).toString('base64url');
  let viewerOrigin: string | undefined;
  const auth = await startAuthService(
    { ...config, serviceToken },
    { laterOrigins: () => (viewerOrigin === undefined ? [] : [viewerOrigin]) },
  );
  const logs = await startLogsService(
    logsConfig({
      LOGS_AUTH_URL: auth.url,
      LOGS_AUTH_PUBLIC_URL: auth.publicUrl,
      LOGS_SESSION_COOKIE: auth.sessionCookie,
      ...process.env,
      LOGS_SERVICE_TOKEN: serviceToken,
      LOGS_SERVICE_TOKEN_FILE: undefined,
    }),
  );
  viewerOrigin = new URL(logs.publicUrl).origin;
  return {
    log: logs.log,
    stop: async () => {
      await logs.stop();
      await auth.stop();
    },
  };
});
