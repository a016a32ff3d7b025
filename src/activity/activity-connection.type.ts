import { ArrayMaxSize, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/connection';
import { ChatActivityType } from './activity.entity';
import { Activity } from './activity.type';

@InputType()
export class ActivityFilter {
  @Field(() => [ChatActivityType], { nullable: true })
  @ArrayMaxSize(6)
  types?: ChatActivityType[] | null;

  @Field(() => [ID], { nullable: true })
  @ArrayMaxSize(100)
  @MaxLength(128, { each: true })
  chatIds?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  until?: Date | null;
}

/** Pages are read field by field: plain properties, no resolver wrapper per field (no auth or middleware on them). */
@ObjectType({ simpleResolvers: true })
export class ActivityEdge {
  @Field()
  cursor: string;

  @Field(() => Activity)
  node: Activity;
}

@ObjectType({ simpleResolvers: true })
export class ActivityConnection {
  @Field(() => [ActivityEdge])
  edges: ActivityEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
