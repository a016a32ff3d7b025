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
    // An example that names a list or a campaign takes the id of the first one an earlier example created.
    const created: Record<string, string> = {};
    for (const operation of operations.filter((op) => op.operation !== OperationTypeNode.SUBSCRIPTION)) {
      const variables = Object.fromEntries(
        (operation.variableDefinitions ?? [])
          .map((v) => v.variable.name.value)
          .filter((name) => name in created)
          .map((name) => [name, created[name]]),
      );
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` },
        body: JSON.stringify({ query: source, operationName: operation.name!.value, variables }),
      });
      const body = (await res.json()) as { errors?: unknown[]; data?: Record<string, { id?: string } | null> };
      created.smartListId ??= body.data?.createSmartList?.id as string;
      created.campaignId ??= body.data?.createCampaign?.id as string;
      for (const key of Object.keys(created)) if (created[key] === undefined) delete created[key];
      expect({ operation: operation.name!.value, errors: body.errors }).toEqual({
        operation: operation.name!.value,
        errors: undefined,
      });
    }
  });
});
