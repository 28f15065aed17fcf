/** What the server put on the page's body for this session. */
export interface ViewerConfig {
  username: string;
  signInUrl: string;
  signOutUrl: string;
  csrf: string;
  homeUrl: string;
}

export function readConfig(body: HTMLElement): ViewerConfig {
  const data = body.dataset;
  return {
    username: data.username ?? '',
    signInUrl: data.signIn ?? '',
    signOutUrl: data.signOut ?? '',
    csrf: data.csrf ?? '',
    homeUrl: data.home ?? '',
  };
}

let leaving = false;

/**
 * The session ended: to the sign-in page, which brings the browser back to this very view. Once: the follower and
 * the pod list may both learn it, and a second navigation would reload the sign-in form under the person typing.
 */
export function signInAgain(config: ViewerConfig): void {
  if (leaving) return;
  leaving = true;
  window.location.assign(`${config.signInUrl}?rd=${encodeURIComponent(window.location.href)}`);
}
