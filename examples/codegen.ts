// GraphQL Code Generator for this API: typed operations that compile under `tsc --strict`.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'examples.graphql',
  generates: {
    'generated/graphql.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: {
        // DateTime is an RFC 3339 string on the wire; every other scalar is a built-in one.
        scalars: { DateTime: 'string' },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
