import { ApiKeyEntity } from '../auth/api-key.entity';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ActivityEntity } from '../activity/activity.entity';
import { ActivityStreamHeadEntity } from '../activity/activity-stream-head.entity';
import { PersonEntity } from '../person/person.entity';
import { VisitorEntity } from '../person/visitor.entity';
import { SmartListEntity } from '../smart-list/smart-list.entity';

/** Entity classes, listed explicitly (globs differ between ts-jest and compiled output). */
export const ENTITIES: Function[] = [
  WorkspaceEntity,
  ApiKeyEntity,
  PersonEntity,
  VisitorEntity,
  ActivityEntity,
  ActivityStreamHeadEntity,
  SmartListEntity,
];
