import type { Readable } from 'node:stream';
import type { Middleware, ParameterizedContext } from 'koa';
import type { ValidatedState } from './validate-request.js';

export interface OperationShape {
  parameters: { query?: unknown; path?: unknown; header?: unknown };
  requestBody?: unknown;
  responses: object;
}

/** A body is JSON or an HTML form's fields, validated by one schema either way. */
type BodyContent<C> = C extends { content: infer M } ? M[keyof M] : undefined;

/** The request as the spec validated and coerced it, typed from the generated operation. */
export interface OperationInput<O extends OperationShape> {
  path: O['parameters'] extends { path: infer P } ? P : Record<string, never>;
  query: O['parameters'] extends { query?: infer Q } ? NonNullable<Q> : Record<string, never>;
  body: BodyContent<NonNullable<O['requestBody']>>;
}

type Headers = Record<string, string | string[]>;

/** JSON media types give their schema's type; text and streaming ones bytes or a stream. */
type BodyOf<R> = R extends { content: infer C }
  ? {
      [M in keyof C]: M extends 'application/json' | 'application/problem+json' ? C[M] : string | Buffer | Readable;
    }[keyof C]
  : undefined;

/** One member per declared status: a handler cannot answer a status or body shape the spec does not declare. */
export type Reply<O extends OperationShape> = {
  [S in keyof O['responses'] & number]: BodyOf<O['responses'][S]> extends undefined
    ? { status: S; headers?: Headers; body?: undefined }
    : { status: S; headers?: Headers; body: BodyOf<O['responses'][S]>; type?: string };
}[keyof O['responses'] & number];

export type OperationContext<State> = ParameterizedContext<ValidatedState & State>;

export type OperationHandler<O extends OperationShape, State> = (
  ctx: OperationContext<State>,
  input: OperationInput<O>,
) => Promise<Reply<O>> | Reply<O>;

/** The last middleware of an operation's route: the handler's reply, checked against the spec by type, answered. */
export function handleOperation<O extends OperationShape, State>(
  handler: OperationHandler<O, State>,
): Middleware<ValidatedState & State> {
  return async function handleOperation(ctx) {
    const reply = await handler(ctx, ctx.state.input as unknown as OperationInput<O>);
    if (reply.headers) ctx.set(reply.headers);
    /** Before the status: Koa would otherwise send the status's name as the body of a 303, and null makes a 204. */
    if (reply.body === undefined) ctx.body = null;
    ctx.status = reply.status;
    if (reply.body !== undefined) {
      /** The type first: Koa's body setter would otherwise look one up for the body, then this would replace it. */
      if ('type' in reply && reply.type) ctx.type = reply.type;
      ctx.body = reply.body;
    }
  };
}
