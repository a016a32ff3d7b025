import { Field, Int, ObjectType } from 'type-graphql';
import { Node, toGlobalId } from '../graphql/node';
import type { PersonEntity } from './person.entity';

/**
 * A person as the API shows it. `visitorIds`, `activities` and `smartLists`
 * are field resolvers (batched per request), not stored on the object.
 */
@ObjectType({ implements: Node })
export class Person implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('Person', this.id);
  }

  @Field(() => String, { nullable: true, description: 'Null while the person is an anonymous visitor.' })
  email: string | null;

  @Field(() => String, { nullable: true })
  firstName: string | null;

  @Field(() => String, { nullable: true })
  lastName: string | null;

  @Field(() => String, { nullable: true })
  company: string | null;

  @Field()
  known: boolean;

  @Field(() => Int, { description: 'Changed by CHANGE_SCORE flow steps.' })
  score: number;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  static from(entity: PersonEntity): Person {
    return Object.assign(new Person(), {
      id: entity.id,
      email: entity.email,
      firstName: entity.firstName,
      lastName: entity.lastName,
      company: entity.company,
      known: entity.email !== null,
      score: entity.score,
      createdAt: entity.createdAt,
      updatedAt: entity.updatedAt,
    });
  }
}
