import { join } from 'node:path';
import { spawnListening } from './process';

/** The layers of http-floor-server.js, bottom up. */
export const HTTP_FLOOR_STEPS = [
  { step: 'node', label: 'node:http alone' },
  { step: 'express', label: '+ Express 5' },
  { step: 'json', label: '+ express.json()' },
  { step: 'headers', label: '+ helmet() and cors()' },
  { step: 'apollo', label: '+ Apollo Server 5 (one-field schema)' },
] as const;

export interface HttpFloor {
  url: string;
  pid: number | undefined;
  stop: () => Promise<void>;
}

/** Starts http-floor-server.js at `step` in its own process, with the node flags the server runs with. */
export async function startHttpFloor(step: string, nodeFlags: string[]): Promise<HttpFloor> {
  const server = await spawnListening(`HTTP floor (${step})`, [...nodeFlags, join(__dirname, 'http-floor-server.js')], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, NODE_ENV: 'production', HTTP_FLOOR_STEP: step },
  });
  return { url: `http://127.0.0.1:${server.port}/graphql`, pid: server.child.pid, stop: server.stop };
}
