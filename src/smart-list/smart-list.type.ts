import { Field, ObjectType } from 'type-graphql';
import { Node, toGlobalId } from '../graphql/node';
import { type Connection, connectionType } from '../graphql/connection';
import { FilterLogic } from './filter.model';
import { SmartListFilter } from './filter.type';
import { isActivityFilter } from './person-filter.model';
import { AnySmartListFilter } from './person-filter.type';
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

  @Field(() => [SmartListFilter], {
    description:
      'The activity filters (every filter, unless the list has person or membership filters: allFilters has every kind).',
  })
  filters: SmartListFilter[];

  @Field(() => [AnySmartListFilter], { description: 'Every filter, of every kind, in position order.' })
  allFilters: AnySmartListFilter[];

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
      filters: entity.definition.filters.filter(isActivityFilter).map(SmartListFilter.from),
      allFilters: entity.definition.filters.map(AnySmartListFilter.from),
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
      entity,
    });
  }
}

export const SmartListConnection = connectionType('SmartList', () => SmartList);
export type SmartListConnection = Connection<SmartList>;
