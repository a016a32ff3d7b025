import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnListening } from './process';

export interface RawFanout {
  wsUrl: string;
  /** Sends the payload with this activity id to every subscriber; resolves when the server has written them all. */
  fire: (activityId: string) => Promise<{ ms: number }>;
  rssMiB: () => number;
  stop: () => Promise<void>;
}

/** Starts raw-fanout-server.js (the fan-out floor) in its own process with `payload` as the run every subscriber gets. */
export async function startRawFanout(payload: unknown): Promise<RawFanout> {
  const server = await spawnListening('raw fan-out server', [join(__dirname, 'raw-fanout-server.js')], {
    env: { ...process.env, RAW_FANOUT_PAYLOAD: JSON.stringify(payload) },
  });
  const port = server.port;
  return {
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    fire: async (activityId) => {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/fire`, {
        method: 'POST',
        body: JSON.stringify({ activityId }),
      });
      if (!res.ok) throw new Error(`raw fan-out fire: HTTP ${res.status}`);
      await res.arrayBuffer();
      return { ms: performance.now() - started };
    },
    rssMiB: server.rssMiB,
    stop: server.stop,
  };
}
