import { StringDecoder } from 'node:string_decoder';
import { Client, type Dispatcher } from 'undici';
import type { Logger } from '../common/logger.js';
import type { components } from '../generated/auth.js';

type Message = components['schemas']['ChangeFeedMessage'];
export type FeedChange = components['schemas']['ChangeFeedChange'];

/** What the feed tells the verdicts kept from it. */
export interface FeedListener {
  /** Whatever was kept may be out of date: the feed went down, or started afresh (`reset`: it missed changes). */
  forgetAll(why: 'down' | 'reset'): void;
  changed(change: FeedChange): void;
}

export interface ChangeFeedOptions {
  baseUrl: string;
  serviceToken: string;
  ca?: string;
  /** With no line (a heartbeat at least) for this long, the feed is taken as down and subscribed to again. */
  timeoutMs: number;
}

const firstRetryMs = 100;
const maxRetryMs = 5000;

/** One subscription to GET /auth/changes, over until it ends, fails or is given up on. */
interface Attempt {
  controller?: Dispatcher.DispatchController;
  over: boolean;
}

/**
 * Follows auth-app's change feed: subscribes at start and again whenever the stream ends, fails, goes quiet for
 * `timeoutMs` (a proxy that drops it silently) or shows a gap, after a backoff, saying where it was (`after`) so
 * auth-app can tell what it missed. It is live only while connected, caught up and recently heard from; the
 * listener is told to forget everything whenever it stops being so.
 */
export class ChangeFeed {
  private readonly client: Client;
  private readonly path: string;
  private readonly heartbeatMs: number;
  private position: number | undefined;
  private caughtUpAt = Number.POSITIVE_INFINITY;
  private connected = false;
  private lastHeard = 0;
  private attempt: Attempt | undefined;
  private retryMs = firstRetryMs;
  private retry: NodeJS.Timeout | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private stopped = false;
  private waiting: Array<() => void> = [];
  /** How long a verdict may go unasked: auth-app's touch interval, from its hello. */
  touchIntervalMs = 0;

  constructor(
    private readonly options: ChangeFeedOptions,
    private readonly listener: FeedListener,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const base = new URL(options.baseUrl);
    this.path = `${base.pathname.replace(/\/$/, '')}/auth/changes`;
    this.heartbeatMs = Math.min(60_000, Math.max(100, Math.floor(options.timeoutMs / 4)));
    this.client = new Client(base.origin, {
      connect: { timeout: options.timeoutMs, ...(options.ca ? { ca: options.ca } : {}) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: 0,
    });
    this.watchdog = setInterval(() => this.check(), this.heartbeatMs).unref();
  }

  start(): void {
    this.subscribe();
  }

  /** Connected, caught up, and heard from within the timeout. */
  live(now = this.now()): boolean {
    return this.connected && (this.position ?? -1) >= this.caughtUpAt && now - this.lastHeard <= this.options.timeoutMs;
  }

  /** Resolves once the feed is live (for a service that wants it before it answers, and for tests). */
  whenLive(): Promise<void> {
    if (this.live()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retry);
    this.end('stopping');
    await this.client.destroy().catch(() => undefined);
  }

  private subscribe(): void {
    if (this.stopped) return;
    const attempt: Attempt = { over: false };
    this.attempt = attempt;
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const after = this.position === undefined ? '' : `after=${this.position}&`;
    this.client.dispatch(
      {
        path: `${this.path}?${after}heartbeatMs=${this.heartbeatMs}`,
        method: 'GET',
        headers: { 'x-service-token': this.options.serviceToken, accept: 'application/x-ndjson' },
      },
      {
        onRequestStart: (controller) => {
          attempt.controller = controller;
          if (attempt.over) controller.abort(new Error('given up'));
        },
        onResponseStart: (controller, status) => {
          if (status === 401) {
            controller.abort(
              new Error('it refused the service token: LOGS_SERVICE_TOKEN must be its AUTH_SERVICE_TOKEN'),
            );
          } else if (status !== 200) controller.abort(new Error(`it answered ${status}`));
        },
        onResponseData: (_controller, chunk) => {
          if (attempt.over) return;
          const lines = (pending + decoder.write(chunk)).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line && !attempt.over) this.receive(line);
        },
        onResponseEnd: () => this.end('the stream ended', attempt),
        onResponseError: (_controller, error) => this.end(error.message, attempt),
      },
    );
  }

  private receive(line: string): void {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      return this.end('a line of the stream is not JSON');
    }
    this.lastHeard = this.now();
    if (message.type === 'hello') return this.hello(message);
    if (this.position === undefined || !this.connected) return this.end('the stream did not begin with hello');
    if (message.type === 'heartbeat') {
      if (message.seq > this.position) this.missed(`a heartbeat at ${message.seq} after ${this.position}`);
      return;
    }
    if (message.seq <= this.position) return;
    if (message.seq !== this.position + 1) return this.missed(`change ${message.seq} after ${this.position}`);
    this.position = message.seq;
    this.listener.changed(message);
    this.caughtUp();
  }

  private hello(message: Extract<Message, { type: 'hello' }>): void {
    this.connected = true;
    this.retryMs = firstRetryMs;
    this.touchIntervalMs = message.touchIntervalMs;
    this.caughtUpAt = message.seq;
    const replay = message.replay && this.position !== undefined;
    if (!replay) {
      this.position = message.seq;
      this.listener.forgetAll('reset');
    }
    this.log.info({ seq: message.seq, replay }, 'change feed connected');
    this.caughtUp();
  }

  private caughtUp(): void {
    if (this.waiting.length === 0 || !this.live()) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** Something was not sent: start afresh, so everything kept is forgotten and every follow asked again. */
  private missed(what: string): void {
    this.position = undefined;
    this.end(`the feed skipped changes (${what})`);
  }

  private check(): void {
    if (this.connected && this.now() - this.lastHeard > this.options.timeoutMs) {
      this.end(`nothing heard for ${this.options.timeoutMs} ms`);
    }
  }

  /** Ends the current attempt (once), forgets everything, and subscribes again after the backoff. */
  private end(reason: string, attempt = this.attempt): void {
    if (!attempt || attempt.over) return;
    attempt.over = true;
    attempt.controller?.abort(new Error(reason));
    if (attempt !== this.attempt) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.caughtUpAt = Number.POSITIVE_INFINITY;
    this.listener.forgetAll('down');
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(maxRetryMs, this.retryMs * 2);
    const fields = { reason, retryMs: delay, authUrl: this.options.baseUrl };
    if (wasConnected || delay === firstRetryMs) {
      this.log.warn(fields, 'change feed down: every request is asked of auth-app until it is back');
    } else this.log.debug(fields, 'change feed still down');
    this.retry = setTimeout(() => this.subscribe(), delay * (0.75 + Math.random() / 2)).unref();
  }
}
