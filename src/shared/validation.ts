import {
  getMetadataStorage as getRuleStorage,
  ValidateBy,
  validateSync,
  type MetadataStorage,
  type ValidationError,
  type ValidatorOptions,
} from 'class-validator';
import { AppError, ErrorCode } from './errors';
import { isBlank } from './text';
import { isHttpUrl, MAX_URL } from './url';

/**
 * class-validator works out a class's rules (its own and inherited ones) on
 * every validate call, scanning every registered class, then groups them by
 * property (typestack/class-validator#2686): in a batch that lookup, not the
 * checks, was a third of the validation time (BENCHMARKS.md). Rules
 * are registered when a class is defined, before anything of it can be
 * validated, and never change after; so both answers are kept, per class
 * and call options (Twenty does the same). Returned arrays and groupings are
 * only read by class-validator.
 */
function memoizeRuleLookups(storage: MetadataStorage): void {
  // The storage is process-global; a module loaded twice (as test runners do) must not wrap it twice.
  const marked = storage as MetadataStorage & { rulesMemoized?: true };
  if (marked.rulesMemoized) return;
  marked.rulesMemoized = true;
  const rules = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  type Rules = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
  const byClass = new WeakMap<object, Map<string, Rules>>();
  const grouped = new WeakMap<Rules, ReturnType<MetadataStorage['groupByPropertyName']>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // Unambiguous: the plain form ends in two booleans, the other is a JSON array.
    const key = groups?.length
      ? JSON.stringify([schema, always, strictGroups, groups])
      : `${schema}|${always}|${strictGroups}`;
    let forClass = byClass.get(target);
    if (!forClass) byClass.set(target, (forClass = new Map<string, Rules>()));
    let found = forClass.get(key);
    if (!found) forClass.set(key, (found = rules(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}
memoizeRuleLookups(getRuleStorage());

const OPTIONS: ValidatorOptions = {
  // GraphQL already enforces presence and scalar types; null/undefined optional fields skip the checks.
  skipMissingProperties: true,
  forbidUnknownValues: false,
  validationError: { target: false, value: false },
};

export interface Violation {
  field: string[];
  message: string;
}

/** Flattens class-validator's tree into field paths, never carrying the offending value. */
export function toViolations(errors: ValidationError[], prefix: string[] = []): Violation[] {
  const out: Violation[] = [];
  for (const error of errors) {
    const path = [...prefix, error.property];
    for (const message of Object.values(error.constraints ?? {})) out.push({ field: path, message });
    if (error.children?.length) out.push(...toViolations(error.children, path));
  }
  return out;
}

/** Synchronous: every rule in use is synchronous, and the async variant costs a promise per rule on the write path. */
export function violationsOf(value: object, prefix: string[] = []): Violation[] {
  return toViolations(validateSync(value, OPTIONS), prefix);
}

export function violationError(violations: Violation[]): AppError {
  const [first] = violations;
  return new AppError(
    ErrorCode.BAD_USER_INPUT,
    `${first.field.join('.')}: ${first.message}`,
    first.field,
    'INVALID_INPUT',
    {
      violations,
    },
  );
}

/** The value must show something: not empty, not only whitespace or invisible characters (see isBlank). */
export const IsNotBlank = (): PropertyDecorator =>
  ValidateBy({
    name: 'isNotBlank',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && !isBlank(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must not be blank`,
    },
  });

/** An absolute http(s) URL of at most MAX_URL characters. */
export const IsHttpUrl = (): PropertyDecorator =>
  ValidateBy({
    name: 'isHttpUrl',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isHttpUrl(value),
      defaultMessage: (args) =>
        `${args?.property ?? 'value'} must be an absolute http or https URL of at most ${MAX_URL} characters`,
    },
  });
