import { globalId } from './helpers/ids';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { DatabaseConfig } from '../src/config';
import { createTestDatabase } from './helpers/database';
import { eventually } from './helpers/delivery-receiver';
import { startTestServer, type TestServer } from './helpers/server';

const ROOT = join(__dirname, '..');
const VIEWER = '{ viewer { workspace { id } apiKey { id name scopes } } }';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real script in its own process (what `npm run api-key --` runs), on `database`. */
function apiKey(database: DatabaseConfig, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'scripts', 'api-key.ts'), ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: database.kind === 'mysql' ? database.url : `sqlite:${database.url}`,
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const secretIn = (stdout: string): string => /^\s+(dca_\S+)$/m.exec(stdout)?.[1] ?? '';

interface Viewer {
  viewer: { workspace: { id: string }; apiKey: { id: string; name: string; scopes: string[] } };
}

describe('npm run api-key (operators locked out)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { authCacheTtlMs: 200 } });
  });
  afterAll(() => server.stop());

  it('creates a key while the server runs on the database, prints its secret once, and the server accepts it', async () => {
    const created = await apiKey(server.database.config, 'create', '--name', 'recovery', '--scopes', 'read,MANAGE');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = secretIn(created.stdout);
    expect(secret).toMatch(/^dca_[A-Za-z0-9_-]{43}$/);
    expect(created.stdout.split(secret)).toHaveLength(2);
    expect(created.stdout).toContain(globalId('Workspace', server.workspaceId));

    const res = await server.gql<Viewer>(VIEWER, {}, secret);
    expect(res.status).toBe(200);
    expect(res.data!.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
    expect(res.data!.viewer.apiKey).toMatchObject({ name: 'recovery', scopes: ['READ', 'MANAGE'] });
    // MANAGE works: the recovered operator can manage keys through the API again.
    const keys = await server.gql('{ apiKeys { id name } }', {}, secret);
    expect(keys.errors).toBeUndefined();

    const listed = await apiKey(server.database.config, 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(res.data!.viewer.apiKey.id);
    expect(listed.stdout).toContain('"recovery"');
    expect(listed.stdout).not.toContain(secret);

    const revoked = await apiKey(server.database.config, 'revoke', res.data!.viewer.apiKey.id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API key ${res.data!.viewer.apiKey.id}`);
    // Another process revoked it: this server lets it go when its key cache expires.
    await eventually(
      async () => (await server.gql(VIEWER, {}, secret)).errors?.[0].extensions?.code === 'UNAUTHENTICATED',
    );
    expect((await apiKey(server.database.config, 'list')).stdout).toMatch(/"recovery".*revoked/);
  });

  it('asks for --workspace when there are several, listing them, and creates the key in the one named', async () => {
    const other = await server.createWorkspace('Second workspace');
    const ambiguous = await apiKey(server.database.config, 'create', '--name', 'x', '--scopes', 'READ');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toBe('');
    expect(ambiguous.stderr).toContain('--workspace');
    expect(ambiguous.stderr).toContain(globalId('Workspace', server.workspaceId));
    expect(ambiguous.stderr).toContain(`${globalId('Workspace', other.workspaceId)} (Second workspace)`);

    const created = await apiKey(
      server.database.config,
      'create',
      '--name',
      'second admin',
      '--scopes',
      'MANAGE',
      '--workspace',
      other.workspaceId,
    );
    expect(created.code).toBe(0);
    const res = await server.gql<Viewer>(VIEWER, {}, secretIn(created.stdout));
    expect(res.data!.viewer.workspace.id).toBe(globalId('Workspace', other.workspaceId));
  });

  it('refuses bad arguments with usage, and an unknown key id', async () => {
    const badScope = await apiKey(server.database.config, 'create', '--name', 'x', '--scopes', 'READ,ROOT');
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('unknown scope ROOT');
    expect((await apiKey(server.database.config, 'create', '--scopes', 'READ')).code).toBe(2);
    expect((await apiKey(server.database.config, 'frobnicate')).code).toBe(2);
    const unknown = await apiKey(server.database.config, 'revoke', '00000000-0000-0000-0000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no API key');
  });

  it('never migrates: a database behind this version is refused', async () => {
    const empty = await createTestDatabase();
    try {
      const run = await apiKey(empty.config, 'list');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('not up to date');
    } finally {
      await empty.drop();
    }
  });
});
