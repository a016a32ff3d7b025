import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface RawFanout {
  wsUrl: string;
  /** Sends the payload with this activity id to every subscriber; resolves when the server has written them all. */
  fire(activityId: string): Promise<{ ms: number }>;
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Starts raw-fanout-server.js (the fan-out floor) in its own process with `payload` as the run every subscriber gets. */
export async function startRawFanout(payload: unknown): Promise<RawFanout> {
  const child = spawn(process.execPath, [join(__dirname, 'raw-fanout-server.js')], {
    env: { ...process.env, RAW_FANOUT_PAYLOAD: JSON.stringify(payload) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /"port":(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`raw fan-out server exited: ${output}`)));
  });
  return {
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    fire: async (activityId) => {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/fire`, { method: 'POST', body: JSON.stringify({ activityId }) });
      if (!res.ok) throw new Error(`raw fan-out fire: HTTP ${res.status}`);
      await res.arrayBuffer();
      return { ms: performance.now() - started };
    },
    rssMiB: () => {
      const status = require('node:fs').readFileSync(`/proc/${child.pid}/status`, 'utf8') as string;
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
