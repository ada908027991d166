/**
 * A TCP proxy a drill puts in front of a dependency (PostgreSQL, Redis) to cut or stall it, on a port of
 * its own. `stall()` holds every byte both ways on open connections and on new ones (a hung server
 * or a black-holed link: TCP stays up, nothing answers) and delivers them in order on `restore()`;
 * `cut()` drops every connection and refuses new ones (the server is gone); `delayReplies(ms)`
 * delivers every byte from the dependency `ms` late, in order (a slow link, or a client whose event
 * loop reads late).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  port = 0;
  private mode: 'open' | 'stalled' | 'cut' = 'open';
  private held: Array<() => void> = [];
  private replyDelayMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  /** Connections accepted so far (a gauge of how often the gateway tried the dependency). */
  accepted = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {
    this.server = createServer((client) => {
      this.accepted++;
      if (this.mode === 'cut') {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      const relay = (to: Socket, reply: boolean) => (d: Buffer) => {
        if (this.mode === 'stalled') this.held.push(() => to.write(d));
        else if (reply && this.replyDelayMs > 0) setTimeout(() => to.writable && to.write(d), this.replyDelayMs);
        else to.write(d);
      };
      client.on('data', relay(upstream, false));
      upstream.on('data', relay(client, true));
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  stall(): void {
    this.mode = 'stalled';
  }

  /** From now on, bytes from the dependency reach the client `ms` late (0: at once again). */
  delayReplies(ms: number): void {
    this.replyDelayMs = ms;
  }

  cut(): void {
    this.mode = 'cut';
    this.held = [];
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.mode = 'open';
    for (const send of this.held.splice(0)) send();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
