import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';

/**
 * graphql-scalars' DateTime (the contract's name, parsing and checks), answering
 * with the ISO string rather than the Date its serialize returns. The JSON is
 * the same (Date#toJSON is toISOString), but JSON.stringify no longer calls a
 * toJSON per date, which was most of a timeline page's serialization
 * (BENCHMARKS.md).
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  serialize: (value) => GraphQLDateTime.serialize(value).toISOString(),
});
