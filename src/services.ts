import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Logger } from './logger';
import { ApiKeyService } from './auth/api-key.service';
import type { AppPubSub } from './graphql/pubsub';

/**
 * The application's services, built once per process and handed to resolvers
 * through the request context (resolvers stay thin: arguments in, service out).
 */
export interface Services {
  config: Config;
  dataSource: DataSource;
  pubSub: AppPubSub;
  log: Logger;
  apiKeys: ApiKeyService;
}

export function createServices(config: Config, dataSource: DataSource, pubSub: AppPubSub, log: Logger): Services {
  return {
    config,
    dataSource,
    pubSub,
    log,
    apiKeys: new ApiKeyService(dataSource, config.authCacheTtlMs),
  };
}
