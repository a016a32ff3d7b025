import { LIMITS, type LogicExpr } from './filter.model';

/**
 * Parser of advancedLogic expressions such as `1 and (2 or not 3)`.
 *
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | primary
 *   primary := NUMBER | "(" expr ")"
 *
 * Keywords are case-insensitive; `and` binds tighter than `or`. Errors name
 * the 1-based character position so an operator can find the mistake.
 */
export class AdvancedLogicError extends Error {
  constructor(
    message: string,
    /** 1-based character position, or null when the problem is not at one place. */
    readonly position: number | null,
  ) {
    super(position === null ? message : `${message} at position ${position}`);
    this.name = 'AdvancedLogicError';
  }
}

type Token =
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'and' | 'or' | 'not' | '(' | ')'; text: string; at: number }
  | { kind: 'end'; text: string; at: number };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|(\d+)|([A-Za-z]+)|([()])|(.)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source)) !== null) {
    const at = match.index + 1;
    const [text, digits, word, paren, other] = match;
    if (digits !== undefined) {
      // Leading zeros and huge numbers are almost certainly typos; refuse rather than guess.
      if (digits.length > 3 || (digits.length > 1 && digits.startsWith('0')))
        throw new AdvancedLogicError(`"${digits}" is not a filter number`, at);
      tokens.push({ kind: 'number', value: Number(digits), text, at });
    } else if (word !== undefined) {
      const keyword = word.toLowerCase();
      if (keyword !== 'and' && keyword !== 'or' && keyword !== 'not')
        throw new AdvancedLogicError(`unknown word "${word}" (use and, or, not, parentheses and filter numbers)`, at);
      tokens.push({ kind: keyword, text, at });
    } else if (paren !== undefined) {
      tokens.push({ kind: paren as '(' | ')', text, at });
    } else if (other !== undefined) {
      throw new AdvancedLogicError(`unexpected character ${JSON.stringify(other)}`, at);
    }
  }
  tokens.push({ kind: 'end', text: 'end of expression', at: source.length + 1 });
  return tokens;
}

/**
 * Parses and checks an expression over filters 1..filterCount. Every number
 * must name an existing filter; filters the expression leaves out are simply
 * not consulted.
 */
export function parseAdvancedLogic(source: string, filterCount: number): LogicExpr {
  if (source.trim() === '') throw new AdvancedLogicError('the expression is empty', null);
  const tokens = tokenize(source);
  let index = 0;
  let depth = 0;
  const peek = () => tokens[index];
  const describe = (token: Token) => (token.kind === 'end' ? 'the end of the expression' : `"${token.text}"`);

  const parseOr = (): LogicExpr => {
    const operands = [parseAnd()];
    while (peek().kind === 'or') {
      index += 1;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  };
  const parseAnd = (): LogicExpr => {
    const operands = [parseUnary()];
    while (peek().kind === 'and') {
      index += 1;
      operands.push(parseUnary());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  };
  const parseUnary = (): LogicExpr => {
    if (peek().kind === 'not') {
      index += 1;
      enter(tokens[index - 1]);
      const operand = parseUnary();
      depth -= 1;
      return { kind: 'not', operand };
    }
    return parsePrimary();
  };
  const enter = (token: Token) => {
    depth += 1;
    if (depth > LIMITS.advancedLogicDepth)
      throw new AdvancedLogicError(`nested deeper than ${LIMITS.advancedLogicDepth} levels`, token.at);
  };
  const parsePrimary = (): LogicExpr => {
    const token = peek();
    if (token.kind === 'number') {
      index += 1;
      if (token.value < 1 || token.value > filterCount) {
        const range = filterCount === 1 ? 'only filter 1 exists' : `filters are numbered 1 to ${filterCount}`;
        throw new AdvancedLogicError(`unknown filter number ${token.value} (${range})`, token.at);
      }
      return { kind: 'filter', position: token.value };
    }
    if (token.kind === '(') {
      index += 1;
      enter(token);
      const inner = parseOr();
      const close = peek();
      if (close.kind !== ')')
        throw new AdvancedLogicError(
          `expected ")" to close the "(" at position ${token.at}, found ${describe(close)}`,
          close.at,
        );
      index += 1;
      depth -= 1;
      return inner;
    }
    throw new AdvancedLogicError(`expected a filter number, "not" or "(", found ${describe(token)}`, token.at);
  };

  const expression = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') {
    const hint = rest.kind === ')' ? 'unbalanced ")"' : `expected "and", "or" or the end, found ${describe(rest)}`;
    throw new AdvancedLogicError(hint, rest.at);
  }
  return expression;
}

/** ALL / ANY as expressions, so every consumer handles one shape. */
export function allOf(filterCount: number): LogicExpr {
  return combine('and', filterCount);
}

export function anyOf(filterCount: number): LogicExpr {
  return combine('or', filterCount);
}

function combine(kind: 'and' | 'or', filterCount: number): LogicExpr {
  const operands: LogicExpr[] = Array.from({ length: filterCount }, (_, i) => ({ kind: 'filter', position: i + 1 }));
  return operands.length === 1 ? operands[0] : { kind, operands };
}

/** Evaluates an expression given each filter's truth (1-based positions). */
export function evaluateLogic(expression: LogicExpr, holds: (position: number) => boolean): boolean {
  switch (expression.kind) {
    case 'filter':
      return holds(expression.position);
    case 'not':
      return !evaluateLogic(expression.operand, holds);
    case 'and':
      return expression.operands.every((operand) => evaluateLogic(operand, holds));
    case 'or':
      return expression.operands.some((operand) => evaluateLogic(operand, holds));
  }
}
