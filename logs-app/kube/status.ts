import type { ProblemWriter } from '../../common/errors.js';

/** Where logs-app speaks the Kubernetes API, and so answers errors as a Kubernetes client reads them. */
const kubernetesPaths = /^\/(api|apis|version)(\/|$)/;

const reasons: Partial<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  408: 'Timeout',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

/**
 * A problem on the Kubernetes-compatible paths as a `Status`, so kubectl prints what it prints against a cluster:
 * `Error from server (NotFound): pods "x" not found`.
 */
export const kubernetesStatus: ProblemWriter = (ctx, problem) =>
  kubernetesPaths.test(ctx.path)
    ? {
        type: 'application/json',
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: problem.message,
          reason: reasons[problem.status] ?? 'InternalError',
          code: problem.status,
        },
      }
    : undefined;
