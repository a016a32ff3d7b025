import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const ROOT = join(__dirname, '..', '..');

/**
 * Locked packages whose declared engines exclude Node 20, each checked to be
 * safe on it (README, "Node.js version and engines"). A new one fails this
 * test until it is checked and documented too.
 */
const CHECKED_EXCEPTIONS = new Set([
  'node_modules/@whatwg-node/promise-helpers',
  'node_modules/light-my-request/node_modules/cookie',
]);

describe('engines', () => {
  it('every locked production package accepts the Node versions package.json promises, but for the documented exceptions', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }>;
    };
    const ours = semver.minVersion(pkg.engines.node)!.version;
    const excluding = Object.entries(lock.packages)
      // What production installs (npm ci --omit=dev). Development tools run in this suite, on this Node.
      .filter(([path, entry]) => path !== '' && !entry.dev && !Array.isArray(entry.engines) && entry.engines?.node)
      .filter(([, entry]) => !semver.satisfies(ours, (entry.engines as { node: string }).node))
      .map(([path]) => path);
    expect(excluding.filter((path) => !CHECKED_EXCEPTIONS.has(path))).toEqual([]);
    // An exception that no longer applies is dropped from the list (and the README).
    expect([...CHECKED_EXCEPTIONS].filter((path) => !excluding.includes(path))).toEqual([]);
  });
});
