import type { ProblemWriter } from '../common/errors.js';
import { html, htmlDocument, type Html } from '../common/html.js';
import type { ViewerAssets } from './viewer-assets.js';

/** What the viewer's script needs from the server, handed over in data attributes (the policy runs no inline script). */
export interface ViewerContext {
  username: string;
  /** auth-app's sign-in and sign-out pages. */
  signInUrl: string;
  signOutUrl: string;
  /** The session's CSRF token for the sign-out form; undefined when the session came as a Bearer header. */
  csrf: string | undefined;
  /** Where the browser comes back after signing out or in again. */
  homeUrl: string;
}

/** The viewer's own script, style and API calls; its sign-out form posts to auth-app, which redirects back here. */
export const viewerPolicy = (authOrigin: string): string =>
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  `form-action 'self' ${authOrigin}; base-uri 'none'; frame-ancestors 'none'`;

/** No request for a favicon: the policy allows data: images. */
const document = (title: string, head: Html, body: Html): string =>
  htmlDocument(title, html`<link rel="icon" href="data:," />${head}`, body);

export function viewerShell(assets: ViewerAssets, context: ViewerContext): string {
  return document(
    'Pod logs',
    html`<link rel="stylesheet" href="viewer/${assets.style}" />
      <script type="module" src="viewer/${assets.script}"></script>`,
    html`<body
      data-username="${context.username}"
      data-sign-in="${context.signInUrl}"
      data-sign-out="${context.signOutUrl}"
      data-csrf="${context.csrf ?? ''}"
      data-home="${context.homeUrl}"
    >
      <noscript>The log viewer needs JavaScript.</noscript>
      <div id="app"></div>
    </body>`,
  );
}

/**
 * A problem with the page itself (a bad link, auth-app gone) as a page a person reads; a lost sign-in service is
 * retried by the page itself every few seconds.
 */
export const viewerProblemPage: ProblemWriter = (ctx, problem) => {
  if (ctx.path !== '/') return undefined;
  const retry = problem.status === 503 ? html`<meta http-equiv="refresh" content="5" />` : html``;
  const body = html`<body class="problem">
    <main>
      <h1>${problem.kind.title}</h1>
      <p role="alert">${problem.message}</p>
      ${problem.status === 503 ? html`<p>This page tries again every 5 seconds.</p>` : html`<p><a href="./">All pods</a></p>`}
    </main>
  </body>`;
  return { type: 'text/html', body: document(problem.kind.title, retry, body) };
};
