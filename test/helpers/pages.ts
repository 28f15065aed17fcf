import { parseSetCookie, type SetCookie } from 'cookie';
import { testPassword, type TestAuth } from './auth.js';
import type { CheckedResponse } from './contract.js';
import type { Client } from './http.js';

/** What a browser keeps of Set-Cookie and sends back, by hand: a test sees every attribute it was given. */
export class CookieJar {
  readonly set = new Map<string, SetCookie>();

  take(response: { headers: Headers }): void {
    for (const line of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(line);
      if (cookie.maxAge === 0 || !cookie.value) this.set.delete(cookie.name);
      else this.set.set(cookie.name, cookie);
    }
  }

  value(name: string): string | undefined {
    return this.set.get(name)?.value;
  }

  header(): string {
    return [...this.set.values()].map((cookie) => `${cookie.name}=${cookie.value ?? ''}`).join('; ');
  }
}

/** A hidden field's value in a page. */
export function field(page: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]?.replaceAll('&amp;', '&');
}

export const formBody = (fields: Record<string, string | undefined>): string =>
  new URLSearchParams(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();

export interface PostOptions {
  jar: CookieJar;
  /** The page's origin, as a browser sends it on a form post; undefined sends none. */
  origin: string | undefined;
  headers?: Record<string, string>;
}

/** A form post as a browser sends it: urlencoded, the jar's cookies, Origin, the redirect not followed. */
export async function postForm(
  client: Client,
  path: string,
  fields: Record<string, string | undefined>,
  { jar, origin, headers = {} }: PostOptions,
): Promise<CheckedResponse> {
  const response = await client(path, {
    method: 'POST',
    redirect: 'manual',
    body: formBody(fields),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: jar.header(),
      ...(origin === undefined ? {} : { origin }),
      ...headers,
    },
  });
  jar.take(response);
  return response;
}

/** Opens a page with the jar's cookies and keeps what it sets. */
export async function openPage(client: Client, path: string, jar: CookieJar): Promise<CheckedResponse> {
  const response = await client(path, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(response);
  return response;
}

export interface SignIn {
  username: string;
  password: string;
  rd?: string;
  origin: string;
}

/** Signs in as a person would: the form first (its cookie and token), then the post. */
export async function signIn(client: Client, jar: CookieJar, { username, password, rd, origin }: SignIn) {
  const form = await openPage(client, rd === undefined ? '/login' : `/login?rd=${encodeURIComponent(rd)}`, jar);
  const csrf = field(form.text, 'csrf');
  return postForm(client, '/login', { username, password, csrf, rd }, { jar, origin });
}

let users = 0;

/**
 * A user of its own, signed in through the form: concurrent sign-ins of one user from one address are regulated
 * (more than the failure limit at once are refused), and tests run concurrently.
 */
export async function signedInUser(
  auth: TestAuth,
  permissions: string[] = [],
): Promise<{ username: string; jar: CookieJar; token: string }> {
  users += 1;
  const username = `user${users}`;
  await auth.addUser(username, testPassword, permissions);
  const jar = new CookieJar();
  const answer = await signIn(auth.request, jar, { username, password: testPassword, origin: auth.url });
  const token = jar.value('pod-logs-session');
  if (answer.status !== 303 || token === undefined) throw new Error(`signing in answered ${answer.status}`);
  return { username, jar, token };
}
