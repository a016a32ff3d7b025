// Jest's order, except that the specs which start heavy processes (headless Chromium, `npm start` with its
// TypeScript build) run first, beside each other and the unit tests: on two cores they would otherwise load
// the CPU under the specs that measure a property under concurrency (shared executions, crash durability).
const Sequencer = require('@jest/test-sequencer').default;

const HEAVY = ['/test/browser.spec.ts', '/test/npm-start.spec.ts'];
const rank = (path) => {
  const normalized = path.split('\\').join('/');
  if (HEAVY.some((suffix) => normalized.endsWith(suffix))) return 0;
  if (normalized.includes('/test/unit/')) return 1;
  return 2;
};

class HeavyFirst extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    // Array.prototype.sort is stable: within a rank, Jest's own order stays.
    return [...ordered].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = HeavyFirst;
