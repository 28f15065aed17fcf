import type { BrowserConfig } from './config.js';

/** The origin an http(s) URL names when it names nothing more (a trailing slash aside), else undefined. */
export function originOf(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  return bare && (url.protocol === 'http:' || url.protocol === 'https:') ? url.origin : undefined;
}

/**
 * Control characters, white space and backslashes: the URL parser drops tabs and newlines and reads `\` as `/`, so
 * `/\evil.example` or `/<tab>/evil.example` would lead off-site though they look like paths.
 */
const unsafeCharacters = /[\u0000-\u0020\u007f-\u009f\\]/;

/**
 * Where auth-app's pages are, for browsers, and which other origins it trusts: those its sign-in may send a browser
 * back to, which may also post to its pages (a sign-out form of the log viewer).
 */
export class BrowserSite {
  private readonly trusted: ReadonlySet<string>;

  /**
   * `listeningUrl` is where auth-app listens, once it does (AUTH_PUBLIC_URL's default); `laterOrigins` are trusted
   * origins known only once another service listens (`npm start`'s logs-app).
   */
  constructor(
    private readonly config: BrowserConfig,
    private readonly listeningUrl: () => string,
    private readonly laterOrigins: () => readonly string[] = () => [],
  ) {
    this.trusted = new Set(config.redirectOrigins);
  }

  get publicUrl(): string {
    return this.config.publicUrl ?? this.listeningUrl();
  }

  get origin(): string {
    return new URL(this.publicUrl).origin;
  }

  /** The identity provider's, where the sign-in page's button goes: a form's redirect too must be in form-action. */
  private readonly formTargets = new Set<string>();

  /** auth-app's own origin, every one AUTH_REDIRECT_ORIGINS lists and the provider's: for a CSP's form-action. */
  origins(): string[] {
    return [...new Set([this.origin, ...this.trusted, ...this.laterOrigins(), ...this.formTargets])];
  }

  /** Lets the pages' forms lead to `origin` (not a trusted origin: nothing from it may post here). */
  formsMayLeadTo(origin: string): void {
    this.formTargets.add(origin);
  }

  trusts(origin: string): boolean {
    return origin === this.origin || this.trusted.has(origin) || this.laterOrigins().includes(origin);
  }

  /**
   * Where `rd` may send a browser: a path on auth-app itself (one `/`, not `//`), or an http(s) URL without user
   * information on a trusted origin, as the URL parser reads it. Undefined for anything else: an open redirect.
   */
  redirectTarget(rd: string | undefined): string | undefined {
    if (!rd || unsafeCharacters.test(rd)) return undefined;
    if (rd.startsWith('/')) return rd.startsWith('//') ? undefined : rd;
    let url: URL;
    try {
      url = new URL(rd);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password || !this.trusts(url.origin)) return undefined;
    return url.href;
  }
}
