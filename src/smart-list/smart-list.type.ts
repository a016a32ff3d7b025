import { Field, ID, ObjectType } from 'type-graphql';
import { type Connection, connectionType } from '../graphql/connection';
import { FilterLogic } from './filter.model';
import { SmartListFilter } from './filter.type';
import type { SmartListRecord } from './smart-list.service';

/** members, memberCount and includes are field resolvers evaluated from the activities when asked. */
@ObjectType()
export class SmartList {
  @Field(() => ID)
  id: string;

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

  /** The parsed definition, for the membership resolvers; not a GraphQL field. */
  record: SmartListRecord;

  static from(record: SmartListRecord): SmartList {
    return Object.assign(new SmartList(), {
      id: record.id,
      name: record.name,
      description: record.description,
      logic: record.definition.logic,
      advancedLogic: record.definition.advancedLogic,
      filters: record.definition.filters.map(SmartListFilter.from),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      record,
    });
  }
}

export const SmartListConnection = connectionType('SmartList', () => SmartList);
export type SmartListConnection = Connection<SmartList>;
