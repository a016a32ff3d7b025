import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../examples/codegen';

const ROOT = join(__dirname, '..');

describe('GraphQL Code Generator with the README configuration', () => {
  let dir: string;
  beforeAll(() => {
    // Inside the project, so the generated file resolves its imports from node_modules.
    dir = mkdtempSync(join(ROOT, '.codegen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates typed operations for examples.graphql that compile under tsc --strict, DateTime as string', async () => {
    const [output] = Object.values(config.generates);
    const target = join(dir, 'graphql.ts');
    await generate({ ...config, cwd: ROOT, silent: true, generates: { [target]: output } }, true);
    const generated = readFileSync(target, 'utf8');
    expect(generated).toContain('DateTime: { input: string; output: string; }');
    // A consumer of the generated types: an occurredAt is a string, an activity narrows by __typename.
    writeFileSync(
      join(dir, 'use.ts'),
      `import type { TimelineQuery } from './graphql';
import { TimelineDocument } from './graphql';
export function firstOccurredAt(data: TimelineQuery): string | undefined {
  const node = data.personByEmail?.activities.edges[0]?.node;
  if (node?.__typename === 'GoalAchievedActivity') return node.goal + node.occurredAt;
  return node?.occurredAt;
}
export const document = TimelineDocument;
`,
    );
    const tsc = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--strict',
        '--noEmit',
        '--target',
        'es2022',
        '--module',
        'node16',
        '--moduleResolution',
        'node16',
        '--skipLibCheck',
        join(dir, 'graphql.ts'),
        join(dir, 'use.ts'),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('is the configuration the README shows', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(ROOT, 'examples', 'codegen.ts'), 'utf8').trim());
  });
});
