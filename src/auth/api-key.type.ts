import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Node, toGlobalId } from '../graphql/node';
import type { ApiKeyEntity } from './api-key.entity';
import type { WorkspaceEntity } from './workspace.entity';
import { Scope } from './scope';

registerEnumType(Scope, {
  name: 'Scope',
  valuesConfig: {
    RECORD: { description: 'Record activities and identify visitors (the chat widget).' },
    READ: { description: 'Read people, activities, lists, campaigns, runs and deliveries.' },
    SUBSCRIBE: { description: 'Subscribe to campaign triggers and activity streams.' },
    MANAGE: { description: 'Manage smart lists, campaigns, Sales Insight settings and API keys.' },
  },
});

@ObjectType({ implements: Node })
export class Workspace implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('Workspace', this.id);
  }

  @Field()
  name: string;

  /** Known when read from the row; resolved otherwise (workspace-settings.resolver.ts). */
  timeZone?: string;

  static from(this: void, entity: WorkspaceEntity): Workspace {
    return Object.assign(new Workspace(), { id: entity.id, name: entity.name, timeZone: entity.timeZone });
  }
}

@ObjectType({ implements: Node })
export class ApiKey implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('ApiKey', this.id);
  }

  @Field()
  name: string;

  @Field(() => [Scope])
  scopes: Scope[];

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Field(() => [String], { nullable: true, description: 'Browser origins the key may be used from; null: any.' })
  allowedOrigins: string[] | null;

  static from(this: void, entity: ApiKeyEntity): ApiKey {
    return Object.assign(new ApiKey(), {
      id: entity.id,
      name: entity.name,
      scopes: entity.scopes,
      createdAt: entity.createdAt,
      lastUsedAt: entity.lastUsedAt,
      revokedAt: entity.revokedAt,
      allowedOrigins: entity.allowedOrigins,
    });
  }
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field({ description: 'Shown once; only a hash is stored.' })
  secret: string;
}

@ObjectType()
export class Viewer {
  @Field(() => Workspace)
  workspace: Workspace;

  @Field(() => ApiKey)
  apiKey: ApiKey;
}
