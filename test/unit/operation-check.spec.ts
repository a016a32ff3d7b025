import 'reflect-metadata';
import { buildSchema, GraphQLError, print } from 'graphql';
import { checkOperation, type OperationCheckConfig } from '../../src/graphql/operation-check';

const schema = buildSchema(`
  type Query {
    node(id: ID!): Node
    items(first: Int): [Item!]!
  }
  type Node { id: ID! parent: Node }
  type Item { id: ID! children(first: Int): [Item!]! }
  type Subscription { ticks: Int }
`);
const config: OperationCheckConfig = {
  limits: { maxDepth: 3, maxAliases: 2, maxTokens: 60, maxCost: 100 },
  introspection: true,
};

function codesOf(result: ReturnType<typeof checkOperation>): string[] {
  if (!Array.isArray(result)) throw new Error(`accepted: ${print(result.document)}`);
  expect(result.every((error) => error instanceof GraphQLError)).toBe(true);
  return result.map((error) => String(error.extensions.code));
}

describe('checkOperation (the WebSocket path: parse, validate, limits)', () => {
  it('accepts an operation within the limits, as execute takes it', () => {
    const variables = { n: 5 };
    const result = checkOperation(
      schema,
      { query: 'query Page($n: Int) { items(first: $n) { id } }', operationName: 'Page', variables },
      config,
    );
    if (Array.isArray(result)) throw new Error(result.map((error) => error.message).join('; '));
    expect(result.schema).toBe(schema);
    expect(print(result.document)).toContain('items(first: $n)');
    expect(result.operationName).toBe('Page');
    expect(result.variableValues).toBe(variables);
  });

  it('answers text that is not GraphQL with GRAPHQL_PARSE_FAILED', () => {
    expect(codesOf(checkOperation(schema, { query: '{ node(' }, config))).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('stops parsing at the token limit, as a limit (QUERY_TOO_COMPLEX)', () => {
    const query = `{ items { ${'id '.repeat(60)} } }`;
    expect(codesOf(checkOperation(schema, { query }, config))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('validates with the spec rules (GRAPHQL_VALIDATION_FAILED, with locations)', () => {
    const result = checkOperation(schema, { query: '{ nope items { id } }' }, config);
    expect(codesOf(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect((result as GraphQLError[])[0].locations).toEqual([{ line: 1, column: 3 }]);
  });

  it('refuses introspection only when it is turned off', () => {
    const query = '{ __schema { queryType { name } } }';
    expect(Array.isArray(checkOperation(schema, { query }, config))).toBe(false);
    const codes = codesOf(checkOperation(schema, { query }, { ...config, introspection: false }));
    // One error per field that returns an introspection type (__schema, then queryType).
    expect(codes).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses operations deeper than maxDepth or with more aliases than maxAliases', () => {
    expect(codesOf(checkOperation(schema, { query: '{ node(id: 1) { parent { parent { id } } } }' }, config))).toEqual([
      'QUERY_TOO_COMPLEX',
    ]);
    expect(
      codesOf(checkOperation(schema, { query: '{ a: items { id } b: items { id } c: items { id } }' }, config)),
    ).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('prices connections by the `first` the variables ask for', () => {
    const query = 'query($n: Int) { items(first: $n) { children(first: 10) { id } } }';
    // 1 + n × (1 + 10 × 1): 56 for 5 items, 221 for 20.
    expect(Array.isArray(checkOperation(schema, { query, variables: { n: 5 } }, config))).toBe(false);
    expect(codesOf(checkOperation(schema, { query, variables: { n: 20 } }, config))).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('reports an invalid operation as invalid before pricing it', () => {
    const query = '{ items(first: 90) { children(first: 90) { nope } } }';
    expect(codesOf(checkOperation(schema, { query }, config))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});
