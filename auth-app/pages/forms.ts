import { html, type Html } from '../../common/html.js';
import { page } from './layout.js';

export interface SignInForm {
  /** The form's token: csrfToken of its double-submit cookie. */
  csrf: string;
  rd: string | undefined;
  /** What was typed before, shown again after a failure. */
  username?: string;
  message?: string;
  provider?: ProviderButton;
}

/** Sign-in through the identity provider, beside (or instead of) the password form. */
export interface ProviderButton {
  name: string;
  available: boolean;
  /** Whether the password form is shown too. */
  localLogin: boolean;
}

const providerForm = ({ name, available }: ProviderButton, rd: string | undefined): Html =>
  html`<form method="get" action="auth/oidc/start" class="provider">
    ${rdField(rd)}
    <button type="submit" ${!available && html`disabled aria-describedby="provider-state"`}>
      Sign in with ${name}
    </button>
    ${!available && html`<p id="provider-state" class="notice">${name} cannot be reached just now; try again shortly.</p>`}
  </form>`;

const rdField = (rd: string | undefined): Html | false =>
  rd !== undefined && rd !== '' && html`<input type="hidden" name="rd" value="${rd}" />`;

export function signInPage({ csrf, rd, username = '', message, provider }: SignInForm): string {
  const passwordForm = provider?.localLogin ?? true;
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
      ${message && html`<p role="alert">${message}</p>`} ${provider && providerForm(provider, rd)}
      ${provider && passwordForm && html`<p class="or">or with a password</p>`}
      ${passwordForm && passwordSignIn(csrf, rd, username)}`,
  );
}

const passwordSignIn = (csrf: string, rd: string | undefined, username: string): Html =>
  html`<form method="post" action="login">
    <input type="hidden" name="csrf" value="${csrf}" />
    ${rdField(rd)}
    <label for="username">Username</label>
    <input
      id="username"
      name="username"
      value="${username}"
      autocomplete="username"
      autocapitalize="none"
      spellcheck="false"
      maxlength="128"
      required
      ${!username && html`autofocus`}
    />
    <label for="password">Password</label>
    <input
      id="password"
      name="password"
      type="password"
      autocomplete="current-password"
      maxlength="1024"
      required
      ${username && html`autofocus`}
    />
    <button type="submit">Sign in</button>
  </form>`;

/** A sign-in through the provider that made no session: what went wrong, and the way to try again. */
export function providerFailedPage(message: string): string {
  return page(
    'Sign-in failed',
    html`<h1>Sign-in failed</h1>
      <p role="alert">${message}</p>
      <p><a href="../../login">To the sign-in page</a></p>`,
    '../../',
  );
}

/** The one-button form that ends the session; `csrf` is the session's token, `rd` where to go after. */
const signOutForm = (csrf: string, rd: string | undefined): Html =>
  html`<form method="post" action="logout">
    <input type="hidden" name="csrf" value="${csrf}" />
    ${rdField(rd)}
    <button type="submit">Sign out</button>
  </form>`;

export interface SignedIn {
  username: string;
  csrf: string;
  rd: string | undefined;
  /** `rd` when it may be followed; undefined when it may not, or none was given. */
  target: string | undefined;
}

export function signedInPage({ username, csrf, rd, target }: SignedIn): string {
  const onward = target
    ? html`<p><a href="${target}">Continue to ${target}</a></p>`
    : rd && html`<p class="notice">You were not sent on to ${rd}: this sign-in sends nobody there.</p>`;
  return page(
    'Signed in',
    html`<h1>Signed in</h1>
      <p>You are signed in as <strong>${username}</strong>.</p>
      ${onward} ${signOutForm(csrf, rd)}`,
  );
}

/** GET /logout: the sign-out button for who is signed in, or a way to sign in. */
export function signOutPage(
  signedIn: { username: string; csrf: string } | undefined,
  rd: string | undefined,
  atProvider?: { name: string; url: string },
): string {
  if (!signedIn) {
    const signIn = rd ? `login?rd=${encodeURIComponent(rd)}` : 'login';
    return page(
      'Signed out',
      html`<h1>Signed out</h1>
        <p>You are not signed in. <a href="${signIn}">Sign in</a></p>
        ${atProvider && html`<p>You may still be signed in at ${atProvider.name}. <a href="${atProvider.url}">Also sign out of ${atProvider.name}</a></p>`}`,
    );
  }
  return page(
    'Sign out',
    html`<h1>Sign out</h1>
      <p>You are signed in as <strong>${signedIn.username}</strong>.</p>
      ${signOutForm(signedIn.csrf, rd)}`,
  );
}
