import type { ParameterizedContext } from 'koa';
import type { RequestState } from './logger.js';
import { Problem, toProblem } from './problem.js';

export const problemContentType = 'application/problem+json';

/** Lets a service turn its own domain errors (a lost database, say) into problems. */
export type ErrorTranslator = (error: unknown) => Problem | undefined;

/** A service's one translation of errors into problems: its own first, then the generic one. */
export const problemTranslation =
  (translate: ErrorTranslator = () => undefined) =>
  (error: unknown): Problem =>
    translate(error) ?? toProblem(error);

/** A request no route answered becomes a problem too. */
export function throwIfUnanswered(ctx: ParameterizedContext): void {
  if (ctx.body !== undefined) return;
  if (ctx.status === 404) throw new Problem('notFound', { detail: `No route for ${ctx.path}` });
  if (ctx.status === 405) throw new Problem('methodNotAllowed', { detail: `${ctx.method} is not allowed here` });
}

/**
 * Why a failure translated into a 503 (a full disk, a lost database) happened, down its chain of causes, without
 * stacks: it repeats for every request until it clears. A problem thrown as such has already said why.
 */
function reasonOf(error: unknown): string | undefined {
  const reasons: string[] = [];
  for (let each = error; each instanceof Error && !(each instanceof Problem); each = each.cause)
    reasons.push(each.message);
  return reasons.length > 0 ? reasons.join(': ') : undefined;
}

/** How a problem is written where RFC 9457 is not what the client reads (a Kubernetes client reads a Status). */
export type ProblemWriter = (
  ctx: ParameterizedContext,
  problem: Problem,
) => { type: string; body: unknown } | undefined;

const problemDetails = (ctx: ParameterizedContext, problem: Problem) => ({
  type: problemContentType,
  body: problem.toBody(ctx.path),
});

/** The one place where thrown errors become answers: RFC 9457, unless `write` says otherwise for this request. */
export function answerWithProblem(
  ctx: ParameterizedContext<RequestState>,
  error: unknown,
  write?: ProblemWriter,
): void {
  const problem = ctx.state.problemOf(error);
  if (problem.status === 503) ctx.state.log?.warn({ status: 503, reason: reasonOf(error) }, problem.message);
  else if (problem.status >= 500) ctx.state.log?.error({ err: error, status: problem.status }, problem.message);
  if (ctx.headerSent || !ctx.writable) return;
  const { type, body } = write?.(ctx, problem) ?? problemDetails(ctx, problem);
  ctx.status = problem.status;
  ctx.set(problem.headers);
  ctx.type = type;
  ctx.body = body;
}
