import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => spawnSync(path, ['-v']).status === 0);

export interface RunningNginx {
  url: string;
  errorLog: string;
  stop(): Promise<void>;
}

/**
 * A private nginx: in the foreground, one worker, its pid, error log and temporary files in `dir` (`-e` too, so
 * it never opens the system's log, which a user other than root may not write), `http` the block's content.
 * As root its worker runs as nginx's default user, which only passes traffic here and writes nothing to `dir`.
 */
function nginxConfig(dir: string, http: string): string {
  return `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${http}
}
`;
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** Starts nginx on `port` and waits until it accepts; missing or refusing its configuration, it throws. */
export async function startNginx(dir: string, port: number, http: string): Promise<RunningNginx> {
  if (!nginxPath) throw new Error('nginx is not installed (apt-get install nginx-light; .ci/run installs it)');
  const config = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  mkdirSync(dir, { recursive: true });
  writeFileSync(config, nginxConfig(dir, http));
  const child = spawn(nginxPath, ['-c', config, '-p', dir, '-e', errorLog], { stdio: 'ignore' });
  const log = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  for (let waited = 0; !(await accepts(port)); waited += 50) {
    if (child.exitCode !== null || waited > 10_000) throw new Error(`nginx did not start: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    errorLog,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface ForwardAuthSite {
  /** What nginx listens on. */
  listen: string;
  /** auth-app and the app behind nginx, as host:port. */
  authApp: string;
  app: string;
}

/** One location that passes to the app whoever auth-app's `check` says is signed in, or sends the browser to sign in. */
const guarded = (path: string, check: string) => `  location ${path} {
    auth_request ${check};
    auth_request_set $user $upstream_http_remote_user;
    auth_request_set $permissions $upstream_http_remote_permissions;
    auth_request_set $signin $upstream_http_location;
    error_page 401 = @signin;
    proxy_set_header Remote-User $user;
    proxy_set_header Remote-Permissions $permissions;
    proxy_set_header Connection "";
    proxy_pass http://app;
  }`;

/** The subrequest to /auth/forward: the browser's cookie, the URL it asked for, no body. */
const check = (path: string, query: string) => `  location = ${path} {
    internal;
    proxy_pass http://auth_app/auth/forward${query};
    proxy_pass_request_body off;
    proxy_set_header Content-Length "";
    proxy_set_header Cookie $http_cookie;
    proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    proxy_set_header Connection "";
  }`;

/**
 * nginx in front of an app with no sign-in of its own, as README shows it: every request is asked of auth-app's
 * /auth/forward first (`/reports/` also needs `logs:read:reports`); Remote-User goes on to the app, set by nginx
 * whatever the browser sent; a browser without a session is sent to sign in and back.
 */
export const forwardAuthServer = ({ listen, authApp, app }: ForwardAuthSite): string =>
  `upstream auth_app { server ${authApp}; keepalive 16; }
upstream app { server ${app}; keepalive 16; }
server {
  listen ${listen};
  proxy_http_version 1.1;
${guarded('/', '/auth-check')}
${guarded('/reports/', '/auth-check-reports')}
${check('/auth-check', '')}
${check('/auth-check-reports', '?permission=logs:read:reports')}
  location @signin {
    return 302 $signin;
  }
}`;
