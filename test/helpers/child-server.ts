import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DatabaseConfig } from '../../src/config';

export interface ChildServer {
  process: ChildProcess;
  port: number;
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

const ROOT = join(__dirname, '..', '..');

/** Runs the real entry point (src/main.ts) in its own process, as `npm start` would, and waits until it listens. */
export async function startChildServer(
  database: DatabaseConfig,
  env: Record<string, string> = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      // As deployed: jest's NODE_ENV=test would change library behaviour (e.g. Apollo's signal handling).
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.kind === 'mysql' ? database.url : `sqlite:${database.url}`,
      LOG_LEVEL: 'info',
      // Deliveries go to receivers the tests run on this machine.
      OUTBOUND_ALLOW_PRIVATE: 'true',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = () => {
      const match = /"port":(\d+)[^\n]*listening/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return { process: child, port, url: `http://127.0.0.1:${port}/graphql`, output: () => output, exited };
}
