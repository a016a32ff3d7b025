import { getMetadataStorage, type ValidatorFn } from 'type-graphql';
import { findMalformedText } from '../shared/text';
import { violationError, violationsOf } from '../shared/validation';

/**
 * The argument path prefix for a validated value. An @ArgsType object is all
 * the arguments at once (no prefix). Otherwise find the argument: type-graphql
 * hands the validator a class instance converted from the raw argument, so
 * identity does not work; the raw object with the same keys does.
 */
function argPrefix(args: Record<string, unknown>, value: object, argType: unknown): string[] {
  if (getMetadataStorage().argumentTypes.some((meta) => meta.target === argType)) return [];
  const name = Object.keys(args).find((key) => {
    const raw = args[key];
    return (
      raw !== null &&
      typeof raw === 'object' &&
      Array.isArray(raw) === Array.isArray(value) &&
      Object.keys(raw).every((k) => k in value)
    );
  });
  return name ? [name] : [];
}

/** Argument objects whose strings were checked: type-graphql validates a field's arguments one by one, with the same `args`. */
const textChecked = new WeakSet<object>();

/**
 * Global argument validation for buildSchema. type-graphql's own
 * (`validate: true`) reports errors without the argument's name and with the
 * whole input echoed in `target`/`value`; this one runs the same
 * class-validator rules but answers BAD_USER_INPUT with the full field path
 * (["input", "chat", "id"]) and no values. Before any rule, every string of
 * every argument must be well-formed text (MALFORMED_TEXT, see shared/text.ts).
 */
export const validateArgument: ValidatorFn = (argValue: unknown, argType, { args }) => {
  if (!textChecked.has(args)) {
    textChecked.add(args);
    const malformed = findMalformedText(args);
    if (malformed) throw malformed;
  }
  if (argValue === null || typeof argValue !== 'object') return;
  const prefix = argPrefix(args, argValue, argType);
  const items: Array<[object, string[]]> = Array.isArray(argValue)
    ? (argValue as unknown[])
        .filter((item): item is object => item !== null && typeof item === 'object')
        .map((item, i) => [item, [...prefix, String(i)]])
    : [[argValue, prefix]];
  const violations = items.flatMap(([item, path]) => violationsOf(item, path));
  if (violations.length > 0) throw violationError(violations);
};

/** The text check for arguments that no validateFn sees (a subscription's `subscribe`). */
export function assertWellFormedArgs(args: object): void {
  const malformed = findMalformedText(args);
  if (malformed) throw malformed;
}

/**
 * For arguments the service validates itself (e.g. each item of a batch must
 * be judged alone, not the whole list rejected): an arg-level validateFn
 * overrides the global one.
 */
export const validatedByService: ValidatorFn = () => undefined;
