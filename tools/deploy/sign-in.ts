import { sessionCookieName } from '../../common/session-cookie.js';
import type { Findings, Violation } from './findings.js';
import type { ProductContainer } from './containers.js';
import { valueOf } from './services.js';

const text = (running: ProductContainer, name: string): string | undefined => {
  const value = valueOf(running.entry.service, running.env, name);
  return value === undefined ? undefined : String(value).replace(/\/+$/, '');
};

/** Where a service's browsers reach it unless told: the address it listens on, the wildcard as 127.0.0.1. */
const listening = (running: ProductContainer, tls: boolean): string =>
  `${tls ? 'https' : 'http'}://127.0.0.1:${String(valueOf(running.entry.service, running.env, running.entry.service.portVariable))}`;

/** What a browser needs of the pair: sent to the right sign-in, sent back, and its cookie seen by logs-app. */
function pairViolations(auth: ProductContainer, logs: ProductContainer): string[] {
  const found: string[] = [];
  const authTls = Boolean(auth.env[auth.entry.service.tlsVariable]);
  const authPublic = text(auth, 'AUTH_PUBLIC_URL') ?? listening(auth, authTls);
  const signIn = text(logs, 'LOGS_AUTH_PUBLIC_URL') ?? text(logs, 'LOGS_AUTH_URL') ?? '';
  if (signIn !== authPublic) {
    found.push(`sends browsers to sign in at ${signIn}, but auth-app's AUTH_PUBLIC_URL is ${authPublic}`);
  }
  const domain = text(auth, 'AUTH_COOKIE_DOMAIN');
  const cookie = sessionCookieName(authPublic.startsWith('https:') || authTls, domain);
  const read = text(logs, 'LOGS_SESSION_COOKIE') ?? sessionCookieName(signIn.startsWith('https:'), undefined);
  if (read !== cookie) found.push(`reads the cookie ${read}, but auth-app sets ${cookie}`);
  const viewer = new URL(
    text(logs, 'LOGS_PUBLIC_URL') ?? listening(logs, Boolean(logs.env[logs.entry.service.tlsVariable])),
  );
  const origins = (valueOf(auth.entry.service, auth.env, 'AUTH_REDIRECT_ORIGINS') as string[] | undefined) ?? [];
  if (viewer.origin !== new URL(authPublic).origin && !origins.includes(viewer.origin)) {
    found.push(`${viewer.origin} is not in auth-app's AUTH_REDIRECT_ORIGINS: sign-in would not send browsers back`);
  }
  const authHost = new URL(authPublic).hostname;
  const reaches = domain === undefined ? viewer.hostname === authHost : `.${viewer.hostname}`.endsWith(`.${domain}`);
  if (!reaches) {
    found.push(
      `auth-app's cookie (${domain ? `Domain=${domain}` : `host ${authHost}`}) never reaches ${viewer.hostname}`,
    );
  }
  return found;
}

/** Each logs-app with each auth-app of its namespace, as a browser goes between them. */
export function checkSignIn(containers: ProductContainer[]): Findings {
  const serving = (name: string) => containers.filter((each) => each.entry.service.name === name && each.entry.serves);
  const violations: Violation[] = [];
  for (const logs of serving('logs-app')) {
    const namespace = logs.template.owner.metadata.namespace;
    for (const auth of serving('auth-app').filter((each) => each.template.owner.metadata.namespace === namespace)) {
      violations.push(...pairViolations(auth, logs).map((message) => ({ where: logs.where, message })));
    }
  }
  return {
    checked: [
      "sign-in: logs-app sends browsers to auth-app's public URL, reads the cookie it sets, is an origin sign-in returns to, and the cookie reaches it",
    ],
    violations,
  };
}
