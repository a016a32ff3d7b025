import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnListening } from './process';

export interface BenchServer {
  process: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  /** The admin key the server was bootstrapped with (BOOTSTRAP_API_KEY). */
  key: string;
  /** Resident memory of the server process in MiB, read from /proc. */
  rssMiB: () => number;
  stop: () => Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/** The node flags of `npm start` (e.g. the young generation size), so the bench runs the server as it is deployed. */
export const START_FLAGS: string[] = (() => {
  const { start } = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts;
  const match = /\bnode\s+(.*?)\s*dist\/src\/main\.js/.exec(start);
  if (!match) throw new Error(`cannot find the server command in npm start: ${start}`);
  return match[1].split(/\s+/).filter(Boolean);
})();

/**
 * The environment of a server under the bench: production, an ephemeral port,
 * and the per-client limits off (every bench request and socket comes from one
 * address and one key; the limits are for a real crowd).
 */
export const BENCH_SERVER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  // Request logs are at debug, so info costs nothing per request and shows the listening line.
  LOG_LEVEL: 'info',
  RATE_LIMIT_PER_KEY_PER_SECOND: '0',
  WS_MAX_CONNECTIONS_PER_IP: '0',
  WS_MAX_CONNECTIONS_PER_KEY: '0',
};

/** The production build (dist/), one process, NODE_ENV=production, as it would be deployed. */
export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const server = await spawnListening(
    'bench server',
    [...START_FLAGS, ...profile, join(ROOT, 'dist', 'src', 'main.js')],
    {
      cwd: ROOT,
      env: { ...BENCH_SERVER_ENV, ...env },
    },
  );
  return {
    process: server.child,
    port: server.port,
    url: `http://127.0.0.1:${server.port}/graphql`,
    key: env.BOOTSTRAP_API_KEY ?? '',
    wsUrl: `ws://127.0.0.1:${server.port}/graphql`,
    rssMiB: server.rssMiB,
    stop: server.stop,
  };
}
