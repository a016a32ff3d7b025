import { Authorized, Field, Int, ObjectType } from 'type-graphql';
import { Scope } from '../auth/scope';
import { Node, toGlobalId } from '../graphql/node';
import type { PersonEntity } from './person.entity';

/**
 * A person as the API shows it. `visitorIds`, `activities` and `smartLists`
 * are field resolvers (batched per request), not stored on the object.
 *
 * The chat widget's RECORD key is public (it ships in web pages): a person it
 * reaches (identifyVisitor, activity.person, batch results) shows its `id`
 * and nothing else. Every other field needs READ, and answers FORBIDDEN
 * without it.
 */
@ObjectType({ implements: Node })
export class Person implements Node {
  /** The raw id; the schema's `id` is the global one (Node). */
  id: string;

  get nodeId(): string {
    return toGlobalId('Person', this.id);
  }

  @Authorized(Scope.READ)
  @Field(() => String, { nullable: true, description: 'Null while the person is an anonymous visitor.' })
  email: string | null;

  @Authorized(Scope.READ)
  @Field(() => String, { nullable: true })
  firstName: string | null;

  @Authorized(Scope.READ)
  @Field(() => String, { nullable: true })
  lastName: string | null;

  @Authorized(Scope.READ)
  @Field(() => String, { nullable: true })
  company: string | null;

  @Authorized(Scope.READ)
  @Field()
  known: boolean;

  @Authorized(Scope.READ)
  @Field(() => Int, { description: 'Changed by CHANGE_SCORE flow steps.' })
  score: number;

  @Authorized(Scope.READ)
  @Field()
  createdAt: Date;

  @Authorized(Scope.READ)
  @Field()
  updatedAt: Date;

  static from(this: void, entity: PersonEntity): Person {
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
