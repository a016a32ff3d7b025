import 'reflect-metadata';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { createApp } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const app = await createApp(config, { log });

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

  const address = await app.listen();
  log.info({ port: address.port, host: address.address, database: config.database.kind, redis: Boolean(config.redisUrl) }, 'listening on /graphql (HTTP and WebSocket)');

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
    app.stop().then(
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
}

main().catch((err: unknown) => {
  // Plain console: the logger may not exist yet.
  console.error(err);
  process.exit(1);
});
