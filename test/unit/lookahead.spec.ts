import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { soleSubfield, type Subfield } from '../../src/graphql/lookahead';

const schema = buildSchema(`
  type Query { person(id: ID!): Person }
  type Person { id: ID! name: String activities(first: Int, after: String): [String!]! }
`);

/** What soleSubfield saw from person's resolver when executing `query` with `variables`. */
function lookahead(query: string, variables: Record<string, unknown> = {}): Subfield | null {
  let seen: Subfield | null | undefined;
  const result = execute({
    schema,
    document: parse(query),
    variableValues: variables,
    rootValue: {
      person: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        seen = soleSubfield(info, 'activities');
        return { id: '1', name: 'n', activities: [] };
      },
    },
  });
  expect(result).not.toHaveProperty('errors');
  if (seen === undefined) throw new Error('person was not resolved');
  return seen;
}

describe('soleSubfield (a resolver looking ahead at one field below it)', () => {
  it('finds the one selection with its arguments coerced, directly and through fragments', () => {
    expect(lookahead('{ person(id: 1) { id activities(first: 5) } }')?.args).toEqual({ first: 5 });
    expect(lookahead('query($a: String) { person(id: 1) { activities(after: $a) } }', { a: 'c' })?.args).toEqual({
      after: 'c',
    });
    expect(lookahead('{ person(id: 1) { ... on Person { activities(first: 2) } } }')?.args).toEqual({ first: 2 });
    expect(lookahead('{ person(id: 1) { ...F ...F } } fragment F on Person { activities(first: 3) }')?.args).toEqual({
      first: 3,
    });
  });

  it('finds nothing when the field is absent, selected twice, or a directive decides whether it runs', () => {
    expect(lookahead('{ person(id: 1) { id name } }')).toBeNull();
    expect(lookahead('{ person(id: 1) { a: activities(first: 1) b: activities(first: 2) } }')).toBeNull();
    expect(lookahead('{ person(id: 1) { activities(first: 1) activities(first: 1) } }')).toBeNull();
    expect(lookahead('{ person(id: 1) { activities(first: 1) @include(if: true) } }')).toBeNull();
    expect(lookahead('{ person(id: 1) { ... @skip(if: false) { activities } } }')).toBeNull();
    expect(lookahead('{ person(id: 1) { ...F @include(if: true) } } fragment F on Person { activities }')).toBeNull();
  });
});
