/**
 * npm run api-key -- <command>: API key administration from the command line,
 * for an operator locked out of the API (every MANAGE key lost or revoked).
 *
 *   create --name NAME --scopes READ,MANAGE [--workspace ID]   prints the new secret, once
 *   list [--workspace ID]
 *   revoke ID
 *
 * It works on the configured DATABASE_URL through the server's own services
 * (ApiKeyService), alongside running servers: SQLite in WAL mode takes a
 * second process, MySQL/MariaDB any number. It never migrates: a database
 * whose schema is behind this code is refused (start the new server first).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { ApiKeyRepository } from '../src/auth/api-key.repository';
import { ApiKeyService } from '../src/auth/api-key.service';
import { ALL_SCOPES, Scope } from '../src/auth/scope';
import type { WorkspaceEntity } from '../src/auth/workspace.entity';
import { WorkspaceRepository } from '../src/auth/workspace.repository';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { AppError } from '../src/shared/errors';
import { rawIdOf, toGlobalId } from '../src/shared/global-id';

const USAGE = `Usage:
  npm run api-key -- create --name NAME --scopes ${ALL_SCOPES.join(',')} [--workspace ID]
  npm run api-key -- list [--workspace ID]
  npm run api-key -- revoke ID

Works on DATABASE_URL (default: the SQLite file under data/). Without --workspace, create uses the only workspace.`;

class UsageError extends Error {}

/** The ApiKeyService the server builds (src/services.ts), on a database this process opens without migrating. */
async function openServices(): Promise<{ dataSource: DataSource; apiKeys: ApiKeyService }> {
  const config = loadConfig();
  const dataSource = createDataSource(config.database);
  await dataSource.initialize();
  if (await dataSource.showMigrations()) {
    await dataSource.destroy();
    throw new Error('the database schema is not up to date with this version: start the server once (it migrates)');
  }
  // No cache: every answer is read from the database.
  const apiKeys = new ApiKeyService(new ApiKeyRepository(dataSource), new WorkspaceRepository(dataSource), 0);
  return { dataSource, apiKeys };
}

function parseScopes(raw: string | undefined): Scope[] {
  if (!raw) throw new UsageError('--scopes is required');
  const scopes = raw
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new UsageError(`unknown scope ${unknown.join(', ')} (scopes: ${ALL_SCOPES.join(', ')})`);
  return scopes as Scope[];
}

// Ids as the API shows them (global); either form is accepted back.
const keyId = (id: string) => toGlobalId('ApiKey', id);
const describeWorkspace = (w: WorkspaceEntity) => `${toGlobalId('Workspace', w.id)} (${w.name})`;

/** The workspace named by --workspace, or the only one; several without --workspace is an error that lists them. */
async function pickWorkspace(apiKeys: ApiKeyService, id: string | undefined): Promise<WorkspaceEntity> {
  const workspaces = await apiKeys.listWorkspaces();
  if (id) {
    const found = workspaces.find((w) => w.id === rawIdOf(id, 'Workspace'));
    if (!found)
      throw new Error(
        `no workspace ${id}; workspaces:\n${workspaces.map((w) => `  ${describeWorkspace(w)}`).join('\n')}`,
      );
    return found;
  }
  if (workspaces.length === 1) return workspaces[0];
  if (workspaces.length === 0)
    throw new Error('the database has no workspace yet: start the server once (it creates one)');
  throw new Error(
    `the database has ${workspaces.length} workspaces; name one with --workspace ID:\n${workspaces
      .map((w) => `  ${describeWorkspace(w)}`)
      .join('\n')}`,
  );
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : 'never');

async function run(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        scopes: { type: 'string' },
        workspace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { positionals, values } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) throw new UsageError('');
  if (!['create', 'list', 'revoke'].includes(command)) throw new UsageError(`unknown command ${command}`);
  if (command === 'create' && !values.name) throw new UsageError('--name is required');
  const scopes = command === 'create' ? parseScopes(values.scopes) : [];
  if (command === 'revoke' && rest.length !== 1) throw new UsageError('revoke takes one key id');

  const { dataSource, apiKeys } = await openServices();
  try {
    if (command === 'create') {
      const workspace = await pickWorkspace(apiKeys, values.workspace);
      // The operator at the database's console may grant every scope.
      const { apiKey, secret } = await apiKeys.create(workspace.id, values.name!, scopes, {
        grantorScopes: new Set(ALL_SCOPES),
      });
      process.stdout.write(
        [
          `Created API key ${keyId(apiKey.id)} "${apiKey.name}" with scopes ${apiKey.scopes.join(', ')} in workspace ${describeWorkspace(workspace)}.`,
          'Keep this secret now; it is not shown again:',
          '',
          `  ${secret}`,
          '',
          '',
        ].join('\n'),
      );
    } else if (command === 'list') {
      const workspaces = values.workspace
        ? [await pickWorkspace(apiKeys, values.workspace)]
        : await apiKeys.listWorkspaces();
      for (const workspace of workspaces) {
        process.stdout.write(`workspace ${describeWorkspace(workspace)}\n`);
        for (const key of await apiKeys.list(workspace.id)) {
          const state = key.revokedAt ? `revoked ${iso(key.revokedAt)}` : 'active';
          process.stdout.write(
            `  ${keyId(key.id)}  ${JSON.stringify(key.name)}  ${key.scopes.join(',')}  created ${iso(key.createdAt)}  last used ${iso(key.lastUsedAt)}  ${state}\n`,
          );
        }
      }
    } else {
      const key = await apiKeys.findKey(rawIdOf(rest[0], 'ApiKey'));
      if (!key) throw new Error(`no API key ${rest[0]}`);
      const revoked = await apiKeys.revoke(key.workspaceId, key.id);
      process.stdout.write(
        `Revoked API key ${keyId(revoked.id)} "${revoked.name}" of workspace ${toGlobalId('Workspace', revoked.workspaceId)}. ` +
          'Running servers refuse it once their key cache lets it go (AUTH_CACHE_TTL_MS, 5 s by default).\n',
      );
    }
  } finally {
    await dataSource.destroy();
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `${err.message}\n\n` : ''}${USAGE}\n`);
    process.exit(2);
  }
  const message = err instanceof AppError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`api-key: ${message}\n`);
  process.exit(1);
});
