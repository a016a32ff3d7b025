import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  Kind,
  parse,
  validate,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config';
import { ErrorCode } from '../shared/errors';
import { DEFAULT_PAGE_SIZE } from './connection';

/**
 * Enforces QueryLimits on HTTP (Apollo plugin + parse options) and on
 * graphql-ws (`parseWithLimits` + `checkQueryLimits` in operation-check.ts): Apollo's
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
 * once per requested item (`first`, else `last`, else the default page size,
 * as the resolvers read them: `first: null` is the default too); `nodes`
 * once per id; other fields add them once.
 */
const costEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const declared = field.extensions?.complexity;
  const own = typeof declared === 'number' ? declared : 1;
  const count = (value: unknown) => (typeof value === 'number' && value > 0 ? value : null);
  if (field.args.some((arg) => arg.name === 'first')) {
    const items = count(args.first) ?? count(args.last) ?? DEFAULT_PAGE_SIZE;
    return own + items * Math.max(childComplexity, 1);
  }
  if (field.args.some((arg) => arg.name === 'ids') && Array.isArray(args.ids))
    return own + args.ids.length * Math.max(childComplexity, 1);
  return own + childComplexity;
};

/**
 * The variables a document's cost depends on: `first`, `last` and `ids`
 * arguments (the estimator's only inputs) and the `if` of @include/@skip (skipped fields cost
 * nothing). Everything else in the variables leaves the cost unchanged.
 */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const add = (args: readonly ArgumentNode[] | undefined, name: string) => {
    for (const arg of args ?? []) {
      if (arg.name.value !== name) continue;
      if (arg.value.kind === Kind.VARIABLE) names.add(arg.value.name.value);
      // A list literal of ids may hold variables too.
      if (arg.value.kind === Kind.LIST)
        for (const item of arg.value.values) if (item.kind === Kind.VARIABLE) names.add(item.name.value);
    }
  };
  visit(document, {
    Field: (node) => {
      for (const name of ['first', 'last', 'ids']) add(node.arguments, name);
    },
    Directive: (node) => {
      if (node.name.value === 'include' || node.name.value === 'skip') add(node.arguments, 'if');
    },
  });
  return [...names].sort();
}

interface DocumentLimits {
  /** Depth and alias violations (messages: every request gets its own error objects). */
  shapeErrors: string[];
  costVariables: string[];
  /** Cost per operation name and cost-variable values; bounded, cleared when full. */
  costs: Map<string, number>;
}
const MAX_COSTS_PER_DOCUMENT = 256;

/**
 * Apollo hands every request of one query text the same cached DocumentNode
 * (and graphql-ws subscriptions are parsed once each), so the shape checks
 * are done once per document and the cost once per distinct cost-relevant
 * variables: the checks were 9 % of a timeline request's CPU when repeated.
 */
const cache = new WeakMap<QueryLimits, WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentLimits>>>();

function documentLimits(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits): DocumentLimits {
  let bySchema = cache.get(limits);
  if (!bySchema) cache.set(limits, (bySchema = new WeakMap()));
  let byDocument = bySchema.get(schema);
  if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
  let entry = byDocument.get(document);
  if (!entry) {
    const shapeErrors: string[] = [];
    const onReject = [
      (_context: ValidationContext | null, error: GraphQLError) =>
        shapeErrors.push(error.message.replace(/^Syntax Error: /, '')),
    ];
    validate(schema, document, [
      maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject }),
      maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject }),
    ]);
    entry = { shapeErrors, costVariables: costVariables(document), costs: new Map() };
    byDocument.set(document, entry);
  }
  return entry;
}

export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limits: QueryLimits,
): GraphQLError[] {
  const entry = documentLimits(schema, document, limits);
  if (entry.shapeErrors.length > 0) return entry.shapeErrors.map(tooComplex);

  const key = JSON.stringify([operationName ?? null, ...entry.costVariables.map((name) => variables?.[name] ?? null)]);
  let cost = entry.costs.get(key);
  if (cost === undefined) {
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
    if (entry.costs.size >= MAX_COSTS_PER_DOCUMENT) entry.costs.clear();
    entry.costs.set(key, cost);
  }
  if (cost > limits.maxCost) {
    return [
      tooComplex(
        `Query cost ${cost} exceeds the limit of ${limits.maxCost}: request fewer items (first) or fewer fields`,
      ),
    ];
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
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation({ request, document, schema, operationName }) {
          const [error] = checkQueryLimits(schema, document, request.variables, operationName, limits);
          return error ? Promise.reject(error) : Promise.resolve();
        },
      }),
  };
}
