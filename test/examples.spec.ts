import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, OperationTypeNode, parse, validate, type OperationDefinitionNode } from 'graphql';
import { startTestServer, type TestServer } from './helpers/server';

const source = readFileSync(join(__dirname, '..', 'examples.graphql'), 'utf8');
const document = parse(source);
const operations = document.definitions.filter(
  (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
);

describe('examples.graphql', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('is valid against the schema the server serves', () => {
    expect(validate(server.app.schema, document)).toEqual([]);
  });

  it('runs every query and mutation in order without an error', async () => {
    for (const operation of operations.filter((op) => op.operation !== OperationTypeNode.SUBSCRIPTION)) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` },
        body: JSON.stringify({ query: source, operationName: operation.name!.value }),
      });
      const body = (await res.json()) as { errors?: unknown[]; data?: Record<string, unknown> };
      expect({ operation: operation.name!.value, errors: body.errors }).toEqual({
        operation: operation.name!.value,
        errors: undefined,
      });
    }
  });
});
