import WebSocket from 'ws';
import { IDLE_SOCKETS } from '../lib/config';
import type { Scenario } from '../lib/scenario';

/** Opens `count` graphql-ws connections (connection_init with the key, acknowledged) and keeps them idle. */
async function openIdleSockets(wsUrl: string, key: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from(
      { length: Math.min(500, count - start) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
          socket.once('open', () =>
            socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })),
          );
          // Text frames arrive as one Buffer (ws's default binaryType).
          socket.once('message', (data: Buffer) =>
            (JSON.parse(String(data)) as { type?: string }).type === 'connection_ack'
              ? resolve(socket)
              : reject(new Error(String(data))),
          );
          socket.once('error', reject);
          // A refused connection (4429 past a connection cap) closes without a message: fail, never wait.
          socket.once('close', (code: number, reason: Buffer) =>
            reject(new Error(`closed before connection_ack: ${code} ${String(reason)}`)),
          );
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

/** What BENCH_IDLE_SOCKETS open, acknowledged and idle graphql-ws connections cost the server in memory. */
export const idleSockets: Scenario = {
  name: 'idle-sockets',
  mariadb: async ({ server, report, results }) => {
    const before = server.rssMiB();
    const sockets = await openIdleSockets(server.wsUrl, server.key, IDLE_SOCKETS);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = server.rssMiB();
    results.idleSockets = { count: sockets.length, rssBeforeMiB: before, rssAfterMiB: after };
    report({
      scenario: `${sockets.length} idle graphql-ws connections`,
      metric: 'server RSS MiB',
      value: after,
      baseline: 'RSS before',
      baselineValue: before,
    });
    for (const socket of sockets) socket.terminate();
  },
};
