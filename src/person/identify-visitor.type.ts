import { Field, ObjectType } from 'type-graphql';
import { Person } from './person.type';

@ObjectType()
export class IdentifyVisitorPayload {
  @Field(() => Person, { description: 'With a public (RECORD-only) key, only its id.' })
  person: Person;

  @Field({ description: 'A valid identityHash was sent, or the key is not public (it holds READ or MANAGE).' })
  verified: boolean;
}
