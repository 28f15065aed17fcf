import type { Routes } from '../../common/routes.js';
import type { operations } from '../../generated/auth.js';
import { Problem } from '../../common/problem.js';
import type { ValidatedState } from '../../common/validate-request.js';
import type { Middleware } from 'koa';
import type { SessionState } from '../require-session.js';
import type { SessionPolicy, Sessions } from '../sessions.js';
import type { SessionPosition } from '../store/store.js';
import { sessionSummary } from './views.js';

/** A page boundary as the client carries it: opaque, so what it holds may change. */
const cursorOf = (session: SessionPosition): string =>
  Buffer.from(`${session.createdAt}.${session.id}`).toString('base64url');

const positionPattern = /^(\d{1,16})\.([A-Za-z0-9_-]{22})$/;

function positionOf(cursor: string): SessionPosition {
  const [, createdAt, id] = positionPattern.exec(Buffer.from(cursor, 'base64url').toString('utf8')) ?? [];
  if (createdAt === undefined || id === undefined) {
    const error = { name: 'query.cursor', message: 'is not a cursor this API gave' };
    throw new Problem('invalidParameters', { detail: `${error.name} ${error.message}`, errors: [error] });
  }
  return { createdAt: Number(createdAt), id };
}

export function addSessionListRoutes(
  routes: Routes<operations>,
  requireSession: Middleware<ValidatedState & SessionState>,
  sessions: Sessions,
  policy: SessionPolicy,
): void {
  routes.operation('listSessions', requireSession, async (ctx, { query }) => {
    const { session } = ctx.state;
    const limit = query.limit ?? 20;
    const after = query.cursor === undefined ? undefined : positionOf(query.cursor);
    const live = await sessions.list(session.userId, { limit: limit + 1, after });
    const shown = live.slice(0, limit);
    const last = shown.at(-1);
    const next = live.length > limit && last ? { next: cursorOf(last) } : {};
    return {
      status: 200,
      body: { sessions: shown.map((each) => sessionSummary(each, policy, session.id)), ...next },
    };
  });
  routes.operation('endAllSessions', requireSession, async (ctx) => {
    const { session } = ctx.state;
    const ended = await sessions.endAll(session.userId);
    ctx.state.log.info({ username: session.username, ended }, 'sessions ended: sign out everywhere');
    return { status: 200, body: { ended } };
  });
  routes.operation('endSession', requireSession, async (ctx, { path }) => {
    const { session } = ctx.state;
    if (!(await sessions.end(path.sessionId, session.userId))) {
      throw new Problem('sessionNotFound', { detail: 'You have no session with that id' });
    }
    ctx.state.log.info({ sessionId: path.sessionId, username: session.username }, 'session ended: by its user');
    return { status: 204 };
  });
}
