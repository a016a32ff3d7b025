import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';

/**
 * The DataSource for the TypeORM CLI, e.g.
 *   npx typeorm-ts-node-commonjs migration:show -d ormconfig.ts
 * It reads DATABASE_URL like the server does.
 */
export default createDataSource(loadConfig().database);
