import { parseByteSize } from '../../src/http/byte-size';

describe('parseByteSize (BODY_LIMIT)', () => {
  it.each([
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['512kb', 524_288],
    ['1.5mb', 1_572_864],
    ['100000', 100_000],
    ['200b', 200],
    [' 2 gb ', 2_147_483_648],
  ])('reads %p as %p bytes, in units of 1024 as Express did', (size, bytes) => {
    expect(parseByteSize(size)).toBe(bytes);
  });

  it.each(['', 'lots', '1 megabyte', '-1mb', '1e6'])('refuses %p', (size) => {
    expect(() => parseByteSize(size)).toThrow(/BODY_LIMIT/);
  });
});
