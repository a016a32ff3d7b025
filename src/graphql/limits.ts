import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationContext } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config';
import { ErrorCode } from '../errors';
import { DEFAULT_PAGE_SIZE } from './connection';

/**
 * Enforces QueryLimits on HTTP (Apollo plugin + parse options) and on
 * graphql-ws (`parseWithLimits` + `checkQueryLimits` in onSubscribe): Apollo's
 * plugins and validation rules do not run on the WebSocket path.
 */
export function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } } });
}

// graphql-js 16 spells it "more that N tokens"; accept the corrected spelling too.
const TOKEN_LIMIT = /^Syntax Error: Document contains more th\w+ \d+ tokens/;

/** graphql-js reports the token limit as a syntax error; clients should see it as a limit. */
export const isTokenLimitError = (message: string): boolean => TOKEN_LIMIT.test(message);

/**
 * A field's own cost is 1 unless it declares more (`complexity` in its
 * type-graphql options, e.g. smart-list membership, an aggregate query per
 * evaluation). Connection fields (those taking `first`) add their children
 * once per requested item; other fields add them once.
 */
const costEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const declared = field.extensions?.complexity;
  const own = typeof declared === 'number' ? declared : 1;
  if (!field.args.some((arg) => arg.name === 'first')) return own + childComplexity;
  const first = typeof args.first === 'number' && args.first > 0 ? args.first : DEFAULT_PAGE_SIZE;
  return own + first * Math.max(childComplexity, 1);
};

export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limits: QueryLimits,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const onReject = [(_context: ValidationContext | null, error: GraphQLError) => errors.push(tooComplex(error.message.replace(/^Syntax Error: /, '')))];
  validate(schema, document, [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject }),
  ]);
  if (errors.length > 0) return errors;

  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [costEstimator],
    });
  } catch {
    // Variables that do not coerce: execution reports them precisely.
    return [];
  }
  if (cost > limits.maxCost) {
    return [tooComplex(`Query cost ${cost} exceeds the limit of ${limits.maxCost}: request fewer items (first) or fewer fields`)];
  }
  return [];
}

/** For the WebSocket path: parse with the token limit; errors come back coded, never thrown. */
export function parseWithLimits(query: string, limits: QueryLimits): DocumentNode | GraphQLError[] {
  try {
    return parse(query, { maxTokens: limits.maxTokens });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = isTokenLimitError(message) ? ErrorCode.QUERY_TOO_COMPLEX : 'GRAPHQL_PARSE_FAILED';
    return [new GraphQLError(message, { extensions: { code } })];
  }
}

export function queryLimitsPlugin<T extends object>(limits: QueryLimits): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          const [error] = checkQueryLimits(schema, document, request.variables, operationName, limits);
          if (error) throw error;
        },
      };
    },
  };
}
