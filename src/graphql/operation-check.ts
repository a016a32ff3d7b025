import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { QueryLimits } from '../config';
import { checkQueryLimits, parseWithLimits } from './limits';

export interface OperationCheckConfig {
  limits: QueryLimits;
  /** false adds graphql-js's rule refusing __schema and __type. */
  introspection: boolean;
}

/** graphql-ws's subscribe payload, or an HTTP request's body. */
export interface OperationRequest {
  readonly query: string;
  readonly operationName?: string | null;
  readonly variables?: Record<string, unknown> | null;
}

/** What graphql-js's execute/subscribe take for an accepted operation. */
export interface CheckedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  variableValues: Record<string, unknown> | null | undefined;
}

const WITH_INTROSPECTION = specifiedRules;
const WITHOUT_INTROSPECTION = [...specifiedRules, NoSchemaIntrospectionCustomRule];

/**
 * What Apollo does for an HTTP request before executing it, for the paths
 * Apollo does not serve (graphql-ws): parse with the token limit, validate
 * with the spec's rules, then the depth, alias and cost limits. The errors
 * carry the codes Apollo gives the same failures on HTTP.
 */
export function checkOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  config: OperationCheckConfig,
): CheckedOperation | GraphQLError[] {
  const document = parseWithLimits(request.query, config.limits);
  if (Array.isArray(document)) return document;
  const invalid = validate(schema, document, config.introspection ? WITH_INTROSPECTION : WITHOUT_INTROSPECTION);
  if (invalid.length > 0) {
    return invalid.map(
      (error) =>
        new GraphQLError(config.introspection ? error.message : withoutSuggestions(error.message), {
          nodes: error.nodes,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
    );
  }
  const limited = checkQueryLimits(
    schema,
    document,
    request.variables ?? undefined,
    request.operationName,
    config.limits,
  );
  if (limited.length > 0) return limited;
  return { schema, document, operationName: request.operationName, variableValues: request.variables };
}

/**
 * graphql-js suggests field and argument names it knows ("Did you mean
 * \"createApiKey\"?"), which hands the schema out to anyone when introspection is
 * off; Apollo's hideSchemaDetailsFromClientErrors strips them the same way on HTTP.
 */
export const withoutSuggestions = (message: string): string => message.replace(/ ?Did you mean(.+?)\?$/, '');
