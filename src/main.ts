// First: tracing (when configured) patches the modules imported after it.
import { stopTracing } from './telemetry/register';
import 'reflect-metadata';
import { loadConfig } from './config';
import { createLogger } from './shared/logger';
import { installProcessGuard } from './process-guard';
import { createApp, type App } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  installProcessGuard(log);

  // Signal handlers first: a SIGTERM that arrives while starting must still shut down cleanly.
  // Assigned once createApp starts; undefined until then (the handlers above may run first).
  let starting: Promise<App> | undefined = undefined;
  let exiting = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    log.info({ signal }, 'shutting down: draining clients');
    // A stuck drain must not keep the process forever.
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 5_000);
    force.unref();
    (starting ?? Promise.reject(new Error('not started')))
      .then((app) => app.stop())
      .then(stopTracing)
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  starting = createApp(config, { log });
  const app = await starting;
  if (app.bootstrap.createdSecret && !config.bootstrapApiKey) {
    // Printed once, on stdout, outside the JSON log stream: it is never stored in clear anywhere.
    process.stdout.write(
      [
        '',
        'Created the first workspace and an admin API key (all scopes).',
        'Keep this secret now; it is not shown again:',
        '',
        `  ${app.bootstrap.createdSecret}`,
        '',
        '',
      ].join('\n'),
    );
  }
  if (exiting) return;
  const address = await app.listen();
  log.info(
    { port: address.port, host: address.address, database: config.database.kind, redis: Boolean(config.redisUrl) },
    'listening on /graphql (HTTP and WebSocket)',
  );
}

main().catch((err: unknown) => {
  // Plain console: the logger may not exist yet.
  console.error(err);
  process.exit(1);
});
