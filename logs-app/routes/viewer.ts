import type { Middleware } from 'koa';
import { Problem } from '../../common/problem.js';
import type { Routes } from '../../common/routes.js';
import { csrfToken, cookieValue } from '../../common/session-cookie.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { operations } from '../../generated/logs.js';
import type { BrowserConfig } from '../config.js';
import { requireSession, type SessionCheck } from '../require-session.js';
import type { ViewerAssets } from '../viewer-assets.js';
import { viewerPolicy, viewerShell } from '../viewer-page.js';

export interface ViewerParts {
  sessionCheck: SessionCheck;
  browser: BrowserConfig;
  /** `LOGS_PUBLIC_URL`, or the address logs-app listens on, once it does. */
  publicUrl: () => string;
  assets: ViewerAssets | undefined;
}

/** A browser without a live session goes to auth-app's sign-in page, which sends it back to what it asked for. */
function signInFirst(parts: ViewerParts): Middleware<ValidatedState> {
  return async function signInFirst(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 401) throw error;
      const back = `${parts.publicUrl()}${ctx.url}`;
      ctx.set('Location', `${parts.browser.authPublicUrl}/login?rd=${encodeURIComponent(back)}`);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = null;
      ctx.status = 303;
    }
  };
}

const immutable = 'public, max-age=31536000, immutable';

/** The viewer's page, for any live session (`GET /pods` says what it may read), and its bundled script and style. */
export function addViewerRoutes(routes: Routes<operations>, parts: ViewerParts): void {
  const { browser, assets } = parts;
  const policy = viewerPolicy(new URL(browser.authPublicUrl).origin);
  routes.operation('getViewerPage', signInFirst(parts), requireSession(parts.sessionCheck, {}), (ctx) => {
    if (!assets) {
      throw new Problem('unavailable', {
        detail: 'The viewer was not built with this logs-app: run npm run build',
        headers: { 'Retry-After': '60' },
      });
    }
    const cookie = cookieValue(ctx.req, parts.sessionCheck.cookieName);
    const body = viewerShell(assets, {
      username: ctx.state.session.username,
      signInUrl: `${browser.authPublicUrl}/login`,
      signOutUrl: `${browser.authPublicUrl}/logout`,
      csrf: cookie === undefined ? undefined : csrfToken(cookie),
      homeUrl: `${parts.publicUrl()}/`,
    });
    return {
      status: 200,
      type: 'text/html',
      headers: {
        'Cache-Control': 'no-store',
        'Content-Security-Policy': policy,
        // Its sign-out form posts to auth-app, which checks Origin; under no-referrer Chromium sends `Origin: null`.
        'Referrer-Policy': 'strict-origin',
      },
      body,
    };
  });
  routes.operation('getViewerAsset', (_ctx, { path }) => {
    const asset = assets?.files.get(path.file);
    if (!asset) throw new Problem('notFound', { detail: `No viewer asset ${path.file}` });
    return { status: 200, type: asset.type, headers: { 'Cache-Control': immutable }, body: asset.body };
  });
}
