import { ApiKeyEntity } from '../auth/api-key.entity';
import { WorkspaceEntity } from '../auth/workspace.entity';

/** Entity classes, listed explicitly (globs differ between ts-jest and compiled output). */
export const ENTITIES: Function[] = [WorkspaceEntity, ApiKeyEntity];
