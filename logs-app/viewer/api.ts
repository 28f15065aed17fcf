import type { components } from '../../generated/logs.js';

export type ReadablePods = components['schemas']['ReadablePods'];
export type LogLine = components['schemas']['LogLine'];
type Problem = components['schemas']['Problem'];

/** 401: the session is gone. */
export class SignedOut extends Error {}

/** 503: auth-app (or the log source) cannot be reached for now. */
export class Unavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** Any other refusal, worded as the problem's detail says. */
export class Refused extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function detailOf(response: Response): Promise<string> {
  try {
    const problem = (await response.json()) as Problem;
    return problem.detail ?? problem.title;
  } catch {
    return `logs-app answered ${response.status}`;
  }
}

/** A response that is not a 2xx, as the error that says what to do about it. */
export async function failureOf(response: Response): Promise<Error> {
  const detail = await detailOf(response);
  if (response.status === 401) return new SignedOut(detail);
  if (response.status === 503) {
    const seconds = Number(response.headers.get('retry-after') ?? 5);
    return new Unavailable(detail, Math.min(Math.max(seconds, 1), 30) * 1000);
  }
  return new Refused(detail, response.status);
}

export async function listPods(signal: AbortSignal): Promise<ReadablePods> {
  const response = await fetch('pods', { headers: { accept: 'application/json' }, signal });
  if (!response.ok) throw await failureOf(response);
  return (await response.json()) as ReadablePods;
}
