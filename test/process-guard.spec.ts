import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startChildServer } from './helpers/child-server';
import { createTestDatabase, type TestDatabase } from './helpers/database';

describe('the process guard', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('logs a throw inside an event listener and an unhandled rejection, and the server keeps serving', async () => {
    const key = `dca_test_${randomBytes(16).toString('hex')}`;
    const server = await startChildServer(database.config, {
      BOOTSTRAP_API_KEY: key,
      NODE_OPTIONS: `--require ${join(__dirname, 'fixtures', 'throw-in-listener.js')}`,
    });
    try {
      server.process.kill('SIGUSR2');
      const deadline = Date.now() + 10_000;
      while (!/unhandled rejection/.test(server.output()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(server.output()).toContain('uncaught exception: logged, still serving');
      expect(server.output()).toContain('a library threw inside an event listener');
      expect(server.output()).toContain('unhandled rejection: logged, still serving');
      expect(server.process.exitCode).toBeNull();

      const health = await fetch(server.url.replace('/graphql', '/health'));
      expect(health.status).toBe(200);
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: '{ viewer { apiKey { name } } }' }),
      });
      expect(await res.json()).toEqual({ data: { viewer: { apiKey: { name: 'admin' } } } });
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });
});
