import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ListeningProcess {
  child: ChildProcess;
  port: number;
  /** Resident memory in MiB, read from /proc. */
  rssMiB: () => number;
  /** SIGTERM, then waits for the exit. */
  stop: () => Promise<void>;
}

/**
 * Spawns `node <args>` and waits until it prints the port it listens on (`"port":N`, as the server's listening log
 * line and raw-fanout-server.js do). Its output is kept for the error if it exits or does not start within 60 s.
 */
export async function spawnListening(
  name: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
): Promise<ListeningProcess> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    const check = setInterval(() => {
      const match = /"port":(\d+)/.exec(output);
      if (match) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    }, 50);
    void exited.then(() => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`${name} exited:\n${output}`));
    });
  });
  return {
    child,
    port,
    rssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
