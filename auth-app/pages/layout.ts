import type { ProblemWriter } from '../../common/errors.js';
import { html, htmlDocument, type Html } from '../../common/html.js';
import type { BrowserSite } from '../browser-site.js';

/** The paths whose answers, problems included, are pages a person reads, with the way from each to the root. */
const pagePaths = new Map([
  ['/login', ''],
  ['/logout', ''],
  ['/auth/oidc/start', '../../'],
  ['/auth/oidc/callback', '../../'],
  ['/auth/oidc/cli', '../../'],
]);

/**
 * No script at all; the style sheet is auth-app's own; forms post only here, and a sign-in form's redirect goes
 * on only to a trusted origin (browsers hold a form's redirects to form-action too).
 */
export const pagePolicy = (site: BrowserSite): string =>
  `default-src 'none'; style-src 'self'; form-action 'self' ${site.origins().join(' ')}; base-uri 'none'; ` +
  "frame-ancestors 'none'";

/**
 * A whole page. Links are relative, so the pages work under whatever path a proxy puts auth-app at; `root` leads
 * from a page below the root (`../../` from /auth/oidc/callback) to it.
 */
export const page = (title: string, main: Html, root = ''): string =>
  htmlDocument(
    `${title} · pod-logs`,
    html`<link rel="stylesheet" href="${root}style.css" />`,
    html`<body>
      <main>${main}</main>
    </body>`,
  );

/** The headers of a page's answer, besides those of every answer (no-store, nosniff, no referrer). */
export const pageHeaders = (site: BrowserSite): Record<string, string> => ({
  'Content-Security-Policy': pagePolicy(site),
});

/**
 * A problem on a page route (a bad link, a post from another site, the store gone) as a page: a browser is never
 * shown JSON there.
 */
export const problemPages =
  (site: BrowserSite): ProblemWriter =>
  (ctx, problem) => {
    /** Traefik and Caddy hand forward auth's refusal to the browser as it is: a person reads it. */
    const forBrowser = ctx.path === '/auth/forward' && problem.status === 403 && ctx.get('x-forwarded-uri') !== '';
    const root = forBrowser ? `${site.publicUrl}/` : pagePaths.get(ctx.path);
    if (root === undefined) return undefined;
    ctx.set('Content-Security-Policy', pagePolicy(site));
    const main = html`<h1>${problem.kind.title}</h1>
      <p role="alert">${problem.message}</p>
      <p>
        ${problem.status === 503 ? 'Try again in a few seconds.' : ''} <a href="${root}login">To the sign-in page</a>
      </p>`;
    return { type: 'text/html', body: page(problem.kind.title, main, root) };
  };
