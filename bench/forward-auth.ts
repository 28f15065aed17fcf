import { join } from 'node:path';
import { freePort } from '../test/helpers/http.js';
import { forwardAuthServer, nginxPath, startNginx } from '../test/helpers/nginx.js';
import { report, rps } from './report.js';
import { alternating, load, type Bench } from './scenarios.js';

/**
 * nginx in front of one upstream (the bare Koa server's log answer) twice over: on one port every request is first
 * asked of auth-app's /auth/forward with the session cookie (README's configuration), on the other it is not.
 */
export async function forwardAuthThroughNginx(bench: Bench): Promise<void> {
  if (!nginxPath) {
    process.stdout.write('9 nginx auth_request to /auth/forward: skipped, nginx is not installed\n');
    return;
  }
  const [guarded, open] = [await freePort(), await freePort()];
  const upstream = new URL(bench.bare.url).host;
  const config = `${forwardAuthServer({ listen: `127.0.0.1:${guarded}`, authApp: new URL(bench.auth.url).host, app: upstream })}
server {
  listen 127.0.0.1:${open};
  proxy_http_version 1.1;
  location / {
    proxy_set_header Connection "";
    proxy_pass http://app;
  }
}`;
  const nginx = await startNginx(join(bench.work, 'nginx-forward'), guarded, config);
  const token = bench.headers.authorization?.replace(/^Bearer /, '') ?? '';
  const cookie = { cookie: `pod-logs-session=${token}` };
  try {
    const [withAuth, withoutAuth] = await alternating(bench, [
      () => load(bench, `http://127.0.0.1:${guarded}/logs/bench`, { headers: cookie }),
      () => load(bench, `http://127.0.0.1:${open}/logs/bench`, { headers: cookie }),
    ]);
    const ratio = withAuth.requestsPerSecond / withoutAuth.requestsPerSecond;
    const allServed = withAuth.non2xx === 0 && withAuth.errors === 0;
    report(
      '9 nginx + /auth/forward (cookie) vs none',
      rps(withAuth),
      `nginx alone ${rps(withoutAuth)}`,
      ratio,
      'info',
      allServed,
    );
  } finally {
    await nginx.stop();
  }
}
