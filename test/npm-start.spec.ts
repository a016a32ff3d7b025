import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/database';

const ROOT = join(__dirname, '..');

/** The processes under `pid` (children, grandchildren, …), from /proc. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may contain spaces: the parent id follows its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone while we looked.
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** Alive and not a zombie. */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('npm start', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('passes SIGTERM sent to npm itself on to the server, which drains and exits: nothing left listening', async () => {
    const key = `dca_test_${randomBytes(16).toString('hex')}`;
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.config.kind === 'mysql' ? database.config.url : `sqlite:${database.config.url}`,
        BOOTSTRAP_API_KEY: key,
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const npmExited = new Promise<number | string>((resolve) =>
      npm.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    let serverPid: number | undefined;
    try {
      // npm start builds first, then runs the server.
      const listening = await waitUntil(() => /"port":\d+[^\n]*listening/.test(output), 180_000);
      expect({ listening, output: listening ? '' : output }).toEqual({ listening: true, output: '' });
      const port = Number(/"port":(\d+)[^\n]*listening/.exec(output)![1]);
      serverPid = descendantsOf(npm.pid!).find((pid) => commandLine(pid).includes('dist/src/main.js'));
      expect(serverPid).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

      process.kill(npm.pid!, 'SIGTERM');
      await npmExited;
      // The server ends on its own, after draining; an orphan would keep listening.
      expect(await waitUntil(() => !running(serverPid!), 15_000)).toBe(true);
      expect(await accepts(port)).toBe(false);
      expect(output).toContain('"msg":"shutting down: draining clients"');
      expect(output).toContain('"msg":"stopped"');
    } finally {
      if (serverPid && running(serverPid)) process.kill(serverPid, 'SIGKILL');
      if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    }
  }, 240_000);
});
