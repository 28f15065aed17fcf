import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { ConfigError } from './config.js';
import { problemContentType } from './errors.js';
import type { Logger } from './logger.js';
import { Problem } from './problem.js';
import { followTlsFiles, tlsCredentials, type TlsFiles } from './tls.js';

/** Requests Node's parser rejects never reach Koa; they still get a problem+json answer before the socket closes. */
function answerUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const kind =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'headersTooLarge'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'requestTimeout'
        : 'unparsable';
  const problem = new Problem(kind);
  const body = JSON.stringify(problem.toBody());
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.kind.title}\r\nContent-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Who listens, and the variables that say where: for the one line a failure to listen prints. */
  service: { name: string; hostVariable: string; portVariable: string };
  /** Open connections at most; a request on one more is answered 503 and its connection closed. */
  maxConnections?: number;
  /** Serve HTTPS with these files, read again whenever they change; `variables` names them in errors. */
  tls?: { files: TlsFiles; variables: string; onRefused: (reason: string) => void };
}

/** A service that cannot start for a reason its operator can fix (the port is taken): one line, exit 1. */
class StartError extends Error {}

const listenFailures: Record<string, string> = {
  EADDRINUSE: 'the address is in use (is it already running?)',
  EACCES: 'it may not listen there',
  EADDRNOTAVAIL: 'this machine has no such address',
};

async function listening(server: Server, host: string, port: number, service: ListenOptions['service']): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const why = listenFailures[(error as NodeJS.ErrnoException).code ?? ''];
    if (!why) throw error;
    throw new StartError(
      `${service.name} cannot listen on ${host}:${port}: ${why}; set ${service.portVariable} (or ${service.hostVariable})`,
    );
  }
}

function refuse(res: ServerResponse, maxConnections: number): void {
  const problem = new Problem('unavailable', {
    detail: `The service holds as many connections as it may (${maxConnections}); try again shortly`,
  });
  res.writeHead(problem.status, { 'Content-Type': problemContentType, 'Retry-After': '5', Connection: 'close' });
  res.end(JSON.stringify(problem.toBody()));
}

export async function listen(
  app: Koa,
  host: string,
  port: number,
  { service, maxConnections = Number.POSITIVE_INFINITY, tls }: ListenOptions,
): Promise<Listening> {
  const handle = app.callback();
  const overLimit = new WeakSet<Socket>();
  const serve = (req: IncomingMessage, res: ServerResponse) =>
    overLimit.has(req.socket) ? refuse(res, maxConnections) : handle(req, res);
  const options = { maxHeaderSize: 16 * 1024 };
  let server: Server;
  let stopFollowing = () => {};
  if (tls) {
    const secure = createTlsServer({ ...options, ...tlsCredentials(tls.files, tls.variables) }, serve);
    stopFollowing = followTlsFiles(secure, tls.files, tls.onRefused);
    server = secure;
  } else {
    server = createServer(options, serve);
  }
  let connections = 0;
  /** Over TLS a request's socket is the secure one, made after the plain connection. */
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    if (connections >= maxConnections) {
      overLimit.add(socket);
      return;
    }
    connections += 1;
    socket.once('close', () => (connections -= 1));
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerUnparsable);
  await listening(server, host, port, service);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        stopFollowing();
        /** An answer that ends after close() leaves its keep-alive connection idle, and close() waits on it. */
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}

/** A wildcard address is not one a browser can open; on this machine it reaches loopback. */
export const browserUrl = (url: string): string => url.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, '//127.0.0.1');

/** Runs a service's start function: a configuration error exits 2, SIGTERM/SIGINT drain and exit 0. */
export async function runService(start: () => Promise<{ log: Logger; stop(): Promise<void> }>): Promise<void> {
  let service: Awaited<ReturnType<typeof start>> | undefined;
  let signalled: string | undefined;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = signal;
    if (!service) return;
    const { log } = service;
    log.info({ signal }, 'shutting down');
    void service
      .stop()
      .then(() => new Promise<void>((resolve) => log.flush(() => resolve())))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  try {
    service = await start();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    }
    throw error;
  }
  if (signalled) {
    const signal = signalled;
    signalled = undefined;
    shutdown(signal);
  }
}
