import type { Socket } from 'node:net';
import WebSocket from 'ws';

export interface ProtocolMessage {
  id?: string;
  type: string;
  payload?: any;
}

/**
 * A graphql-transport-ws client written against the protocol itself, for
 * what graphql-ws's client hides: the socket (to stop reading from it) and
 * the close code and reason.
 */
export class RawWsClient {
  readonly messages: ProtocolMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as ProtocolMessage);
      this.notify();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.notify();
    });
    ws.on('error', () => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawWsClient> {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
    const client = new RawWsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
    return client;
  }

  send(message: ProtocolMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** connection_init with these params; resolves with connection_ack, or the close event. */
  async init(payload: unknown): Promise<ProtocolMessage | { code: number; reason: string }> {
    this.send({ type: 'connection_init', payload });
    await this.until(() => this.closed !== null || this.messages.some((m) => m.type === 'connection_ack'));
    return this.closed ?? this.messages.find((m) => m.type === 'connection_ack')!;
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  of(id: string): ProtocolMessage[] {
    return this.messages.filter((m) => m.id === id);
  }

  /** The TCP socket under the WebSocket: pause() stops reading, as a client that stopped reading would. */
  get socket(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  async until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting on the WebSocket');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }

  private notify(): void {
    this.waiters.splice(0).forEach((w) => w());
  }
}
