import { UserInputError } from './errors';

export const MAX_NAME_LENGTH = 255;
export const MAX_DESCRIPTION_LENGTH = 1024;

/**
 * The name and description that stored definitions (smart lists, campaigns)
 * carry, checked the same way for both: BAD_USER_INPUT on `input.name` /
 * `input.description`.
 */
export function parseNameAndDescription(input: { name?: unknown; description?: unknown }): {
  name: string;
  description: string | null;
} {
  const name = input.name;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new UserInputError(`name must be 1 to ${MAX_NAME_LENGTH} characters and not blank`, ['input', 'name']);
  }
  const description = input.description ?? null;
  if (description !== null && (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)) {
    throw new UserInputError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, [
      'input',
      'description',
    ]);
  }
  return { name, description };
}
