import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/connection';
import { Person } from './person.type';

@ObjectType()
export class PersonEdge {
  @Field()
  cursor: string;

  @Field(() => Person)
  node: Person;
}

@ObjectType()
export class PersonConnection {
  @Field(() => [PersonEdge])
  edges: PersonEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
