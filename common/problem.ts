export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ name: string; message: string }>;
  containers?: string[];
}

interface ProblemKind {
  slug: string;
  status: number;
  title: string;
}

const base = 'https://pod-logs.dev/problems/';

/** Every problem either service can answer with, by slug; `type` is `${base}${slug}`. */
export const problemKinds = {
  badRequest: { slug: 'bad-request', status: 400, title: 'The request is not valid' },
  unparsable: { slug: 'unparsable', status: 400, title: 'The request is not valid HTTP' },
  invalidParameters: { slug: 'invalid-parameters', status: 400, title: 'Request parameters are not valid' },
  invalidGrant: { slug: 'invalid-grant', status: 400, title: 'The sign-in code is not valid' },
  invalidClientAddress: { slug: 'invalid-client-address', status: 400, title: 'The client address is not valid' },
  containerRequired: { slug: 'container-required', status: 400, title: 'A container name must be specified' },
  previousNotFound: { slug: 'previous-not-found', status: 400, title: 'No previous container instance' },
  unauthenticated: { slug: 'unauthenticated', status: 401, title: 'Authentication is required' },
  invalidToken: { slug: 'invalid-token', status: 401, title: 'The session token is not valid' },
  invalidCredentials: { slug: 'invalid-credentials', status: 401, title: 'Invalid username or password' },
  serviceTokenRequired: { slug: 'service-token-required', status: 401, title: 'A valid service token is required' },
  insufficientScope: { slug: 'insufficient-scope', status: 403, title: 'The session lacks the permission' },
  crossSiteRequest: { slug: 'cross-site-request', status: 403, title: 'Refused: a request from another site' },
  passwordSignInOff: { slug: 'password-sign-in-off', status: 403, title: 'Sign-in with a password is turned off' },
  notFound: { slug: 'not-found', status: 404, title: 'Not found' },
  podNotFound: { slug: 'pod-not-found', status: 404, title: 'Pod not found' },
  containerNotFound: { slug: 'container-not-found', status: 404, title: 'Container not found' },
  sessionNotFound: { slug: 'session-not-found', status: 404, title: 'Session not found' },
  methodNotAllowed: { slug: 'method-not-allowed', status: 405, title: 'Method not allowed' },
  notAcceptable: { slug: 'not-acceptable', status: 406, title: 'No acceptable representation' },
  requestTimeout: { slug: 'request-timeout', status: 408, title: 'The request took too long to arrive' },
  payloadTooLarge: { slug: 'payload-too-large', status: 413, title: 'The request body is too large' },
  unsupportedMediaType: { slug: 'unsupported-media-type', status: 415, title: 'Unsupported content type' },
  tooManyAttempts: { slug: 'too-many-attempts', status: 429, title: 'Too many failed login attempts' },
  tooManyFollows: { slug: 'too-many-follows', status: 429, title: 'Too many followed logs' },
  headersTooLarge: { slug: 'headers-too-large', status: 431, title: 'Request headers are too large' },
  internal: { slug: 'internal', status: 500, title: 'Internal error' },
  filesUnreadable: { slug: 'files-unreadable', status: 500, title: 'The logs cannot be read' },
  fileRefused: { slug: 'file-refused', status: 500, title: 'A log file was refused' },
  upstreamFailed: { slug: 'upstream-failed', status: 502, title: 'The log source failed' },
  unavailable: { slug: 'unavailable', status: 503, title: 'Service temporarily unavailable' },
} as const satisfies Record<string, ProblemKind>;

export type ProblemKindName = keyof typeof problemKinds;

interface ProblemOptions {
  detail?: string;
  headers?: Record<string, string>;
  errors?: ProblemBody['errors'];
  containers?: string[];
}

export class Problem extends Error {
  readonly kind: ProblemKind;
  readonly headers: Record<string, string>;
  readonly extensions: Pick<ProblemBody, 'errors' | 'containers'>;

  constructor(kindName: ProblemKindName, options: ProblemOptions = {}) {
    const kind = problemKinds[kindName];
    super(options.detail ?? kind.title);
    this.name = 'Problem';
    this.kind = kind;
    this.headers = options.headers ?? {};
    this.extensions = { errors: options.errors, containers: options.containers };
  }

  get status(): number {
    return this.kind.status;
  }

  toBody(instance?: string): ProblemBody {
    const body: ProblemBody = {
      type: base + this.kind.slug,
      title: this.kind.title,
      status: this.kind.status,
      detail: this.message,
    };
    if (instance !== undefined) body.instance = instance;
    if (this.extensions.errors) body.errors = this.extensions.errors;
    if (this.extensions.containers) body.containers = this.extensions.containers;
    return body;
  }
}

const byStatus: Partial<Record<number, ProblemKindName>> = {
  400: 'badRequest',
  404: 'notFound',
  405: 'methodNotAllowed',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
  431: 'headersTooLarge',
};

/** Errors thrown by Koa, the body parser or http-errors carry a 4xx status meant for the client; anything else is ours. */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
  if (status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : undefined;
    const detail = error instanceof SyntaxError ? `The body is not valid JSON: ${message}` : message;
    return new Problem(byStatus[status] ?? 'badRequest', { detail });
  }
  return new Problem('internal', { detail: 'The server could not complete the request' });
}
