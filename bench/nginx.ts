import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx, type RunningNginx } from '../test/helpers/nginx.js';

export { nginxPath } from '../test/helpers/nginx.js';

/**
 * What an operator would otherwise deploy: nginx asking auth-app's /auth/validate (auth_request, POST,
 * keep-alive upstream, the service token) before serving the same lines as a static file.
 */
export function startValidatingNginx(
  dir: string,
  port: number,
  authUrl: string,
  serviceToken: string,
  body: string,
): Promise<RunningNginx> {
  const auth = new URL(authUrl);
  mkdirSync(join(dir, 'html', 'logs'), { recursive: true });
  writeFileSync(join(dir, 'html', 'logs', 'bench'), body);
  return startNginx(
    dir,
    port,
    `  upstream auth { server ${auth.hostname}:${auth.port}; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    root ${join(dir, 'html')};
    default_type application/json;
    location /logs/ { auth_request /validate; }
    location = /validate {
      internal;
      proxy_pass http://auth/auth/validate;
      proxy_method POST;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Content-Type application/json;
      proxy_set_header X-Service-Token ${serviceToken};
      proxy_set_body '{"permission":"logs:read:default"}';
      proxy_pass_request_body off;
    }
  }`,
  );
}
