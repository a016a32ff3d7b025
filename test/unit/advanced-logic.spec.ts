import { AdvancedLogicError, evaluateLogic, parseAdvancedLogic } from '../../src/smart-list/advanced-logic';
import type { LogicExpr } from '../../src/smart-list/filter.model';

/** A compact rendering of the tree, so expected shapes read like the input. */
function show(e: LogicExpr): string {
  switch (e.kind) {
    case 'filter':
      return String(e.position);
    case 'not':
      return `not(${show(e.operand)})`;
    default:
      return `${e.kind}(${e.operands.map(show).join(',')})`;
  }
}

describe('advancedLogic parser', () => {
  it.each([
    ['1', '1'],
    ['1 and 2', 'and(1,2)'],
    ['1 or 2 and 3', 'or(1,and(2,3))'],
    ['(1 or 2) and 3', 'and(or(1,2),3)'],
    ['1 and (2 or not 3)', 'and(1,or(2,not(3)))'],
    ['not not 1', 'not(not(1))'],
    ['NOT 1 AND 2', 'and(not(1),2)'],
    ['  ((1))  ', '1'],
    ['1and 2', 'and(1,2)'],
    ['1 or 2 or 3', 'or(1,2,3)'],
    ['not (1 or 2)', 'not(or(1,2))'],
    ['10 and 1', 'and(10,1)'],
  ])('parses %j as %s', (source, expected) => {
    expect(show(parseAdvancedLogic(source, 12))).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['4', /unknown filter number 4 \(filters are numbered 1 to 3\) at position 1/],
    ['0', /unknown filter number 0/],
    ['1 and 5', /unknown filter number 5.* at position 7/],
    ['1 and', /expected a filter number, "not" or "\(", found the end of the expression at position 6/],
    ['and 1', /expected a filter number.*found "and" at position 1/],
    ['1 2', /expected "and", "or" or the end, found "2" at position 3/],
    ['(1 or 2', /expected "\)" to close the "\(" at position 1, found the end/],
    ['1 or 2)', /unbalanced "\)" at position 7/],
    ['1 && 2', /unexpected character "&" at position 3/],
    ['1 xor 2', /unknown word "xor"/],
    ['01', /"01" is not a filter number/],
    ['1 and ()', /found "\)"/],
    ['1 or not', /found the end/],
    ['(((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))', /nested deeper than 32/],
  ])('rejects %j', (source, message) => {
    expect(() => parseAdvancedLogic(source, 3)).toThrow(AdvancedLogicError);
    expect(() => parseAdvancedLogic(source, 3)).toThrow(message);
  });

  it('names the only filter when there is one', () => {
    expect(() => parseAdvancedLogic('2', 1)).toThrow(/only filter 1 exists/);
  });

  it('evaluates parsed expressions by truth table', () => {
    const expression = parseAdvancedLogic('1 and (2 or not 3)', 3);
    for (let bits = 0; bits < 8; bits++) {
      const holds = (p: number) => Boolean(bits & (1 << (p - 1)));
      expect(evaluateLogic(expression, holds)).toBe(holds(1) && (holds(2) || !holds(3)));
    }
  });
});
