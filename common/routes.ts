import Router from '@koa/router';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { handleOperation, type OperationHandler, type OperationShape } from './operation.js';
import type { RequestState } from './logger.js';
import type { CompiledSpec } from './spec.js';
import { validateRequest, type ValidatedState } from './validate-request.js';

type Step<State> = Middleware<ValidatedState & State>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * `operation(id, ...middleware, handler)`, one set of signatures per operationId: the handler's input and reply
 * are that operation's, and its state is what the middleware before it provide.
 */
export type OperationMethod<Operations extends { [Id in keyof Operations]: OperationShape }> = UnionToIntersection<
  {
    [Id in keyof Operations & string]: {
      (id: Id, handler: OperationHandler<Operations[Id], object>): void;
      <A extends object>(id: Id, first: Step<A>, handler: OperationHandler<Operations[Id], A>): void;
      <A extends object, B extends object>(
        id: Id,
        first: Step<A>,
        second: Step<B>,
        handler: OperationHandler<Operations[Id], A & B>,
      ): void;
      <A extends object, B extends object, C extends object>(
        id: Id,
        first: Step<A>,
        second: Step<B>,
        third: Step<C>,
        handler: OperationHandler<Operations[Id], A & B & C>,
      ): void;
    };
  }[keyof Operations & string]
>;

/** Any operation's handler, as the table keeps it once its types were checked at registration. */
type Handler = OperationHandler<OperationShape, object>;

/** `/logs/{podName}` as @koa/router writes it. */
const routerPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

/** Handlers of operations that need no middleware, by operationId, as a module shared by both services makes them. */
export type Handlers<Operations extends { [Id in keyof Operations]: OperationShape }> = {
  [Id in keyof Operations]?: OperationHandler<Operations[Id], object>;
};

/**
 * A service's route table, made from its spec: a route is registered by operationId, and the spec says its
 * method and path (matched exactly: `/LOGS/x` and `/logs/x/` are not `/logs/x`; HEAD follows GET). The
 * operation's compiled validator runs first, so a handler only ever sees input the spec allows.
 */
export class Routes<Operations extends { [Id in keyof Operations]: OperationShape }> {
  private readonly router = new Router<ValidatedState>({ sensitive: true, strict: true });
  private readonly handled = new Set<string>();
  readonly operation: OperationMethod<Operations>;

  /**
   * `specName` says where an operationId that cannot be routed was looked for. A guard, by security scheme, runs
   * before anything else of every operation whose spec asks for that scheme, so an unauthorised caller learns
   * nothing, not even whether its request was well-formed.
   */
  constructor(
    private readonly spec: CompiledSpec,
    private readonly specName: string,
    private readonly guards: Partial<Record<string, Middleware<RequestState>>> = {},
  ) {
    this.operation = ((id: string, ...chain: Array<Step<object> | Handler>) =>
      this.register(
        id,
        chain.slice(0, -1) as Array<Step<object>>,
        chain.at(-1) as Handler,
      )) as OperationMethod<Operations>;
  }

  /** Routes each of `handlers` with no middleware between the validator and the handler. */
  handlers(handlers: Handlers<Operations>): void {
    for (const [id, handler] of Object.entries(handlers)) this.register(id, [], handler as Handler);
  }

  private register(id: string, middleware: Array<Step<object>>, handler: Handler): void {
    const operation = this.spec.get(id);
    if (!operation) throw new Error(`${this.specName} declares no operation ${id}: it cannot be routed`);
    if (this.handled.has(id)) throw new Error(`${id} is routed twice`);
    const guards = operation.security.flatMap((scheme) => this.guards[scheme] ?? []);
    this.router.register(routerPath(operation.path), [operation.method], [
      ...guards,
      validateRequest(operation),
      ...middleware,
      handleOperation(handler),
    ] as Array<Middleware<ValidatedState>>);
    this.handled.add(id);
  }

  /** The operations the spec declares that no route serves. */
  unhandled(): string[] {
    return [...this.spec.keys()].filter((id) => !this.handled.has(id));
  }

  /**
   * The table as the app's last middleware (404 and 405 are left to the envelope to answer as problems), once every
   * operation the spec declares is routed: a service never starts with one of its operations unserved.
   */
  serve(app: Koa): void {
    const unhandled = this.unhandled();
    if (unhandled.length > 0)
      throw new Error(`${this.specName} declares operations no route serves: ${unhandled.join(', ')}`);
    app.use(this.router.routes()).use(this.router.allowedMethods());
  }
}
