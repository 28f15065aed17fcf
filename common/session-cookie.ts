import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';

/**
 * The cookie that carries a session token to browsers. Over HTTPS it is `__Host-` (the browser keeps it to the one
 * host, Secure, Path=/: no sibling subdomain can plant one), or `__Secure-` when a Domain shares it with the
 * subdomains; plain over HTTP (development on loopback, where cookies ignore the port).
 */
export function sessionCookieName(secure: boolean, domain: string | undefined): string {
  if (!secure) return 'pod-logs-session';
  return domain === undefined ? '__Host-pod-logs-session' : '__Secure-pod-logs-session';
}

/** The sign-in form's double-submit cookie, named the same way. */
export function formCookieName(secure: boolean): string {
  return secure ? '__Host-pod-logs-form' : 'pod-logs-form';
}

/** Every value one cookie was sent with: none, one, or more when another was planted beside it (a sibling's Domain). */
export function cookieValues(request: IncomingMessage, name: string): string[] {
  const header = request.headers.cookie;
  if (header === undefined || !header.includes(name)) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const value = parseCookie(pair)[name];
    if (value !== undefined) values.push(value);
  }
  return values;
}

/** One cookie's value; undefined when it is absent or sent twice (a planted duplicate is not chosen between). */
export function cookieValue(request: IncomingMessage, name: string): string | undefined {
  const values = cookieValues(request, name);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * A session's CSRF token: HMAC-SHA256 keyed by its session token, so only who holds the token (the browser's
 * HttpOnly cookie, and the services it is sent to) can make it, and a page can carry it without carrying the token.
 * Any service the cookie reaches can put it in a form that posts to auth-app (the viewer's "Sign out").
 */
export const csrfToken = (sessionToken: string): string =>
  createHmac('sha256', sessionToken).update('pod-logs csrf v1').digest('base64url');
