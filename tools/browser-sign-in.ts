import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SignedIn {
  token: string;
  expiresAt: string;
}

const minutesToSignIn = 5;

/** `$BROWSER` (as xdg-utils reads it), else the desktop's opener; false when there is none to run. */
function openBrowser(url: string): Promise<boolean> {
  const command = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : 'xdg-open');
  return new Promise((resolve) => {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

const page = (text: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>pod-logs</title><p>${text}</p></html>`;

/**
 * Signs in through auth-app's identity provider as kubelogin does: a loopback server waits for the browser to
 * come back (RFC 8252) with a one-time code, which only this process can trade, holding the PKCE verifier.
 */
export async function signInWithBrowser(authServer: string, tell: (line: string) => void): Promise<SignedIn> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(24).toString('base64url');
  let settle: (code: string | Error) => void = () => {};
  const arrived = new Promise<string | Error>((resolve) => (settle = resolve));
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const code = url.searchParams.get('code');
    if (url.pathname !== '/callback' || url.searchParams.get('state') !== state || !code) {
      response.writeHead(400, { 'content-type': 'text/html' }).end(page('This is not the sign-in kubectl waits for.'));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' }).end(page('Signed in. You may close this tab.'));
    settle(code);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const query = new URLSearchParams({
    redirect_uri: `http://127.0.0.1:${port}/callback`,
    code_challenge: challenge,
    state,
  });
  const url = `${authServer}/auth/oidc/cli?${query}`;
  const timer = setTimeout(
    () => settle(new Error(`no sign-in within ${minutesToSignIn} minutes`)),
    minutesToSignIn * 60_000,
  );
  try {
    if (!(await openBrowser(url))) tell(`Open this address in a browser to sign in:\n  ${url}`);
    else tell(`Signing in in your browser; if it did not open, open:\n  ${url}`);
    const code = await arrived;
    if (code instanceof Error) throw code;
    const answer = await fetch(`${authServer}/auth/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, codeVerifier: verifier }),
    });
    const body = (await answer.json()) as { token?: string; expiresAt?: string; detail?: string };
    if (!answer.ok || !body.token || !body.expiresAt) {
      throw new Error(`auth-app refused the sign-in: ${body.detail ?? answer.status}`);
    }
    return { token: body.token, expiresAt: body.expiresAt };
  } finally {
    clearTimeout(timer);
    server.close();
  }
}
