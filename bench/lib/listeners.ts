import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Listeners {
  clients: Client[];
  /** Unsubscribes and closes every connection. */
  close: () => Promise<void>;
}

/**
 * Opens `count` graphql-ws clients (one connection each, as separate
 * browser tabs or services would be), each running `query` once. Batches
 * wait for their connections to be acknowledged, so the server is not hit
 * by `count` simultaneous handshakes the load being measured never has.
 */
export async function openListeners(options: {
  wsUrl: string;
  key: string;
  count: number;
  batch?: number;
  query: string;
  variables: Record<string, unknown>;
  onResult: (listener: number, result: FormattedExecutionResult<Record<string, unknown>, unknown>) => void;
  onError: (listener: number, error: unknown) => void;
}): Promise<Listeners> {
  const clients: Client[] = [];
  const unsubscribes: Array<() => void> = [];
  let closing = false;
  const batch = options.batch ?? 100;
  for (let start = 0; start < options.count; start += batch) {
    const connected: Array<Promise<void>> = [];
    for (let listener = start; listener < Math.min(options.count, start + batch); listener += 1) {
      connected.push(
        new Promise<void>((resolve, reject) => {
          const client = createClient({
            url: options.wsUrl,
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${options.key}` },
            lazy: false,
            retryAttempts: 0,
            onNonLazyError: (err) => {
              if (!closing) options.onError(listener, err);
              reject(err instanceof Error ? err : new Error(`listener ${listener} did not connect`, { cause: err }));
            },
            on: { connected: () => resolve() },
          });
          clients.push(client);
          unsubscribes.push(
            client.subscribe(
              { query: options.query, variables: options.variables },
              {
                next: (result) => options.onResult(listener, result),
                error: (err) => {
                  if (!closing) options.onError(listener, err);
                },
                complete: () => {
                  if (!closing) options.onError(listener, new Error('subscription completed by the server'));
                },
              },
            ),
          );
        }),
      );
    }
    await Promise.all(connected);
  }
  return {
    clients,
    close: async () => {
      closing = true;
      for (const unsubscribe of unsubscribes) unsubscribe();
      await Promise.allSettled(clients.map(async (client) => client.dispose()));
    },
  };
}
