import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { stringifySetCookie, type SerializeOptions } from 'cookie';
import { cookieValue, cookieValues, formCookieName, sessionCookieName } from '../common/session-cookie.js';

const formValue = /^[A-Za-z0-9_-]{43}$/;

/**
 * The two cookies auth-app sets: the session's token (HttpOnly, SameSite=Lax, Path=/, Secure and `__Host-` over
 * HTTPS, `__Secure-` with a shared Domain), living as long as the session may; and the sign-in form's
 * double-submit value (host-only, SameSite=Strict), which no other site can read or, prefixed, plant.
 */
export class BrowserCookies {
  readonly sessionName: string;
  readonly formName: string;
  readonly flowName: string;
  private readonly sessionAttributes: SerializeOptions;
  private readonly formAttributes: SerializeOptions;

  constructor(secure: boolean, domain: string | undefined) {
    this.sessionName = sessionCookieName(secure, domain);
    this.formName = formCookieName(secure);
    this.flowName = secure ? '__Host-pod-logs-oidc' : 'pod-logs-oidc';
    this.sessionAttributes = { httpOnly: true, sameSite: 'lax', path: '/', secure, domain };
    this.formAttributes = { httpOnly: true, sameSite: 'strict', path: '/', secure };
  }

  /** Set-Cookie for a new session's token, until the session's absolute expiry. */
  session(token: string, expiresAt: number, now: number): string {
    const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
    return stringifySetCookie(this.sessionName, token, {
      ...this.sessionAttributes,
      maxAge,
      expires: new Date(expiresAt),
    });
  }

  /** Set-Cookie that removes the session cookie: the same name and attributes, expired. */
  clearSession(): string {
    return stringifySetCookie(this.sessionName, '', { ...this.sessionAttributes, maxAge: 0, expires: new Date(0) });
  }

  /**
   * The session token the browser sent; `duplicate` when it sent the cookie twice (one planted beside ours is not
   * chosen between), `missing` when not at all.
   */
  sessionToken(request: IncomingMessage): { token: string } | { problem: 'missing' | 'duplicate' } {
    const values = cookieValues(request, this.sessionName);
    if (values.length > 1) return { problem: 'duplicate' };
    return values[0] === undefined ? { problem: 'missing' } : { token: values[0] };
  }

  /**
   * A sign-in through the identity provider under way, sealed: Lax, as the provider sends the browser back with a
   * cross-site navigation, which a Strict cookie would not come with.
   */
  flow(sealed: string, maxAgeSeconds: number): string {
    return stringifySetCookie(this.flowName, sealed, {
      ...this.formAttributes,
      sameSite: 'lax',
      maxAge: maxAgeSeconds,
    });
  }

  /** Set-Cookie that removes the flow cookie once its callback came, so the callback cannot be used again. */
  clearFlow(): string {
    return stringifySetCookie(this.flowName, '', { ...this.formAttributes, sameSite: 'lax', maxAge: 0 });
  }

  flowToken(request: IncomingMessage): string | undefined {
    return cookieValue(request, this.flowName);
  }

  /** The sign-in form's value the browser holds, if it is one auth-app could have made. */
  formToken(request: IncomingMessage): string | undefined {
    const value = cookieValue(request, this.formName);
    return value !== undefined && formValue.test(value) ? value : undefined;
  }

  /** The form's value to keep (the one held, so two open sign-in tabs both work) and its Set-Cookie. */
  form(request: IncomingMessage): { value: string; setCookie: string } {
    const value = this.formToken(request) ?? randomBytes(32).toString('base64url');
    return { value, setCookie: stringifySetCookie(this.formName, value, this.formAttributes) };
  }
}
