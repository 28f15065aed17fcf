import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => spawnSync(path, ['-v']).status === 0);

/**
 * What an operator would otherwise deploy: nginx asking auth-app's /auth/validate (auth_request, POST,
 * keep-alive upstream, the service token) before serving the same lines as a static file.
 */
export function startNginx(
  dir: string,
  port: number,
  authUrl: string,
  serviceToken: string,
  body: string,
): ChildProcess {
  const auth = new URL(authUrl);
  mkdirSync(join(dir, 'html', 'logs'), { recursive: true });
  writeFileSync(join(dir, 'html', 'logs', 'bench'), body);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream auth { server ${auth.hostname}:${auth.port}; keepalive 32; }
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
  }
}
`,
  );
  return spawn(nginxPath!, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
}
