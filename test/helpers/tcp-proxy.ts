import net from 'node:net';

/**
 * A TCP proxy in front of a real server so a test can make it unreachable:
 * refusing (stop: connections refused, open ones cut) or black-holing
 * (blackhole: connections accepted, nothing forwarded either way, as a
 * partitioned network or a stalled server looks), and bring it back on the
 * same port.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private frozen = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.frozen = false;
    const server = net.createServer((client) => {
      client.on('error', () => undefined);
      if (this.frozen) {
        // Accepted, never answered.
        const pair = { client, upstream: new net.Socket() };
        this.pairs.add(pair);
        client.on('close', () => this.pairs.delete(pair));
        client.pause();
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      upstream.on('error', () => undefined);
      const pair = { client, upstream };
      this.pairs.add(pair);
      client.pipe(upstream).pipe(client);
      client.on('close', () => {
        upstream.destroy();
        this.pairs.delete(pair);
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Keeps every connection open but forwards nothing, and accepts new ones that go nowhere. */
  blackhole(): void {
    this.frozen = true;
    for (const { client, upstream } of this.pairs) {
      client.unpipe();
      upstream.unpipe();
      client.pause();
      upstream.pause();
    }
  }

  /** Ends a black hole: the frozen connections are cut (their half-sent bytes are gone) and new ones flow again. */
  heal(): void {
    this.frozen = false;
    this.cut();
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }
}
