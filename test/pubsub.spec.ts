import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_REDIS_URL } from './helpers/database';

async function runListeners(
  redisUrl: string | undefined,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'helpers', 'pubsub-listeners.ts')],
    {
      env: { ...process.env, PUBSUB_REDIS_URL: redisUrl ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { stdout, stderr, code };
}

/**
 * Many subscribers of one topic on one instance are the normal case (a campaign with 1 000 listeners), so they
 * must not set off Node's "possible EventTarget memory leak" warning, in-process or through Redis.
 */
describe.each([
  ['in-process', undefined],
  ['through Redis', TEST_REDIS_URL],
])('pubsub %s', (name, redisUrl) => {
  (name === 'through Redis' && !redisUrl ? it.skip : it)(
    'delivers to 50 subscribers of one topic without a listener-leak warning',
    async () => {
      const { stdout, stderr, code } = await runListeners(redisUrl);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(Array(50).fill({ n: 1 }));
      expect(stderr).not.toContain('MaxListenersExceededWarning');
    },
    30_000,
  );
});
