import { UserInputError } from './errors';

/**
 * What a string input must be before anything stores or compares it.
 *
 * A lone UTF-16 surrogate is not text: the drivers store it as U+FFFD, so the
 * stored value no longer equals the one sent, lookups by it miss, and two
 * different inputs can collide. Control characters (C0, DEL, C1) have no
 * business in ids or names; free text (descriptions, advancedLogic) may hold
 * tabs and line breaks. Bidirectional embeddings, overrides and isolates can
 * make an id or a name display as something else (a "Trojan Source" trick),
 * so they are refused outside free text too.
 */
export const MALFORMED_TEXT = 'MALFORMED_TEXT';

const LONE_SURROGATE = /\p{Surrogate}/u;
// Control characters are what these match: the rule against them in patterns guards against typos.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Input fields that are free text (multi-line prose an operator writes). By
 * name, wherever they sit in an input: descriptions of lists, campaigns and
 * interesting moments, and advancedLogic expressions.
 */
const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set(['description', 'advancedLogic']);

/** Why `value` is not acceptable text, or null when it is. */
export function textProblem(value: string, freeText = false): string | null {
  if (LONE_SURROGATE.test(value)) return 'must be well-formed text (it holds a lone UTF-16 surrogate)';
  if ((freeText ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(value)) {
    return freeText
      ? 'must not hold control characters other than tab and line breaks'
      : 'must not hold control characters';
  }
  if (!freeText && BIDI_CONTROL.test(value)) return 'must not hold bidirectional override or isolate characters';
  return null;
}

/**
 * The first string anywhere in `value` (objects, arrays, nested) that is not
 * acceptable text, with its field path under `path`. Only the path and the
 * reason are reported, never the value.
 */
export function findMalformedText(value: unknown, path: readonly string[] = []): UserInputError | null {
  const visit = (item: unknown, at: readonly string[], freeText: boolean): UserInputError | null => {
    if (typeof item === 'string') {
      const problem = textProblem(item, freeText);
      return problem ? new UserInputError(`${at.join('.') || 'value'} ${problem}`, at, MALFORMED_TEXT) : null;
    }
    if (item === null || typeof item !== 'object' || item instanceof Date) return null;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i += 1) {
        const found = visit(item[i], [...at, String(i)], freeText);
        if (found) return found;
      }
      return null;
    }
    for (const [key, member] of Object.entries(item)) {
      const found = visit(member, [...at, key], FREE_TEXT_FIELDS.has(key));
      if (found) return found;
    }
    return null;
  };
  return visit(value, path, false);
}

/**
 * Space, line breaks and the characters that draw nothing: every Unicode
 * White_Space character, the zero-width space, joiners and word joiner, the
 * invisible operators, the direction marks, the soft hyphen, the Mongolian
 * vowel separator and the byte-order mark.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\u200b-\u200f\u2060-\u2064\u00ad\u180e\ufeff]*$/u;

/** "Blank" means nothing visible: empty, only whitespace, or only invisible characters. */
export const isBlank = (value: string): boolean => INVISIBLE_ONLY.test(value);
