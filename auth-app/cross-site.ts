import { hash, timingSafeEqual } from 'node:crypto';
import type { ParameterizedContext } from 'koa';
import type { RequestState } from '../common/logger.js';
import { Problem } from '../common/problem.js';
import { csrfToken } from '../common/session-cookie.js';
import type { BrowserSite } from './browser-site.js';

export const csrfHeader = 'x-csrf-token';

/** What a form or header must carry: csrfToken of the cookie that authenticates the request, and what it sent. */
export interface CsrfToken {
  cookie: string | undefined;
  sent: string | undefined;
}

const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

/** Compared as equal-length digests, in constant time. */
const tokenMatches = ({ cookie, sent }: CsrfToken): boolean =>
  cookie !== undefined && sent !== undefined && timingSafeEqual(digest(csrfToken(cookie)), digest(sent));

const sameSiteFetches = new Set(['same-origin', 'same-site', 'none']);

/**
 * Why a request is taken for another site's, or undefined when it is not. A page under `Referrer-Policy:
 * no-referrer` (these pages, the viewer) posts its forms with `Origin: null`, so then Sec-Fetch-Site decides.
 */
function crossSiteReason(ctx: ParameterizedContext, site: BrowserSite): string | undefined {
  const origin = ctx.get('origin');
  /** The request's own origin as the browser addressed it (Koa 3's ctx.origin is the Origin header itself). */
  const own = `${ctx.protocol}://${ctx.host}`;
  if (origin && origin !== 'null') return origin === own || site.trusts(origin) ? undefined : 'origin';
  const fetchSite = ctx.get('sec-fetch-site');
  if (fetchSite) return sameSiteFetches.has(fetchSite) ? undefined : 'sec-fetch-site';
  return origin === 'null' ? 'origin' : undefined;
}

/**
 * Refuses a state-changing request a cookie authenticates unless it comes from auth-app itself or a trusted origin
 * (by Origin, or without one Sec-Fetch-Site; a client that sends neither is no browser, or an old one) and carries the token of
 * that cookie (`csrf`, undefined when nothing the request could change needs one). SameSite=Lax alone lets a
 * same-site page, such as a sibling subdomain, post with the cookie.
 */
export function refuseCrossSite(
  ctx: ParameterizedContext<RequestState>,
  site: BrowserSite,
  csrf: CsrfToken | undefined,
): void {
  const reason = crossSiteReason(ctx, site) ?? (csrf && !tokenMatches(csrf) ? 'csrf-token' : undefined);
  if (reason === undefined) return;
  ctx.state.requestLine.fields.crossSite = reason;
  throw new Problem('crossSiteRequest', {
    detail:
      reason === 'csrf-token'
        ? 'The form has expired or did not come from this site: open the page again. Nothing was changed.'
        : 'The request came from another site. Nothing was changed.',
  });
}
