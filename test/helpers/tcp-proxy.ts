import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP relay to a real server that a test can cut and restore, to make a database unreachable without stopping it. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connections whose first bytes this matches are held open but relay nothing, as a middlebox that drops them. */
  private frozen: ((firstBytes: string) => boolean) | undefined;
  private readonly relays = new Set<{ first: string; hold(): void }>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      const relay = {
        first: '',
        hold: () => {
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.on('data', () => undefined);
          upstream.on('data', () => undefined);
        },
      };
      this.relays.add(relay);
      client.once('data', (chunk: Buffer) => {
        relay.first = chunk.toString('latin1');
        if (this.frozen?.(relay.first)) relay.hold();
      });
      client.pipe(upstream).pipe(client);
      client.on('close', () => {
        this.relays.delete(relay);
        upstream.destroy();
      });
      upstream.on('close', () => client.destroy());
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Drops every open connection and refuses new ones. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /**
   * Stops relaying, silently and in both directions, the connections (open now or made later) whose first bytes
   * `matching` accepts: they stay open, and nothing more passes either way, until thaw.
   */
  freeze(matching: (firstBytes: string) => boolean): void {
    this.frozen = matching;
    for (const relay of this.relays) if (matching(relay.first)) relay.hold();
  }

  /** Connections made from now on are relayed again (those frozen stay so until they close). */
  thaw(): void {
    this.frozen = undefined;
  }

  /** Accepts connections again, on the same port. */
  restore(): Promise<this> {
    return this.start();
  }
}
