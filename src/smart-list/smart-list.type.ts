import { Field, ObjectType } from 'type-graphql';
import { Node, toGlobalId } from '../graphql/node';
import { type Connection, connectionType } from '../graphql/connection';
import { FilterLogic } from './filter.model';
import { SmartListFilter } from './filter.type';
import type { SmartListEntity } from './smart-list.entity';

/** members, memberCount and includes are field resolvers evaluated from the activities when asked. */
@ObjectType({ implements: Node })
export class SmartList implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('SmartList', this.id);
  }

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => FilterLogic)
  logic: FilterLogic;

  @Field(() => String, { nullable: true })
  advancedLogic: string | null;

  @Field(() => [SmartListFilter])
  filters: SmartListFilter[];

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  /** The stored list (with its parsed definition), for the membership resolvers; not a GraphQL field. */
  entity: SmartListEntity;

  static from(this: void, entity: SmartListEntity): SmartList {
    return Object.assign(new SmartList(), {
      id: entity.id,
      name: entity.name,
      description: entity.description,
      logic: entity.definition.logic,
      advancedLogic: entity.definition.advancedLogic,
      filters: entity.definition.filters.map(SmartListFilter.from),
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
      entity,
    });
  }
}

export const SmartListConnection = connectionType('SmartList', () => SmartList);
export type SmartListConnection = Connection<SmartList>;
