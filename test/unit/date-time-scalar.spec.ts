import 'reflect-metadata';
import { GraphQLScalarType, graphql } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildAppSchema } from '../../src/graphql/schema';
import { createAppPubSub } from '../../src/shared/pubsub';
import type { Topics } from '../../src/graphql/topics';
import { DateTimeScalar } from '../../src/graphql/scalars';
import { createLogger } from '../../src/shared/logger';

describe('DateTime scalar', () => {
  const at = new Date('2026-03-31T23:59:59.123Z');

  it('answers with the text JSON would have written for the Date', () => {
    const serialized = DateTimeScalar.serialize(at);
    expect(typeof serialized).toBe('string');
    expect(serialized).toBe(JSON.parse(JSON.stringify(GraphQLDateTime.serialize(at))));
    // graphql-scalars accepts ISO strings and epoch milliseconds too; so does this one, with the same instant.
    expect(DateTimeScalar.serialize('2026-03-31T23:59:59.123Z')).toBe('2026-03-31T23:59:59.123Z');
    expect(DateTimeScalar.serialize(at.getTime())).toBe('2026-03-31T23:59:59.123Z');
  });

  it("keeps graphql-scalars' name, input parsing and checks", () => {
    expect(DateTimeScalar.name).toBe('DateTime');
    expect(DateTimeScalar.parseValue('2026-03-31T23:59:59Z')).toEqual(new Date('2026-03-31T23:59:59Z'));
    expect(() => DateTimeScalar.parseValue('31/03/2026')).toThrow(/DateTime/);
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow(/invalid Date/);
    expect(() => DateTimeScalar.serialize({})).toThrow(/DateTime/);
  });

  it('is the DateTime of the schema', async () => {
    const pubSub = createAppPubSub<Topics>({ maxPending: 1_000 }, createLogger('silent'));
    const schema = await buildAppSchema(pubSub.pubSub);
    const type = schema.getType('DateTime');
    expect(type).toBeInstanceOf(GraphQLScalarType);
    expect((type as GraphQLScalarType).serialize(at)).toBe('2026-03-31T23:59:59.123Z');
    // The introspected description is graphql-scalars' own.
    const result = await graphql({ schema, source: '{ __type(name: "DateTime") { description } }' });
    expect((result.data?.__type as { description: string }).description).toBe(GraphQLDateTime.description);
  });
});
