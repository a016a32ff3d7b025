import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** A field selected under the one being resolved, and its arguments as graphql-js coerces them. */
export interface Subfield {
  node: FieldNode;
  args: Record<string, unknown>;
}

/**
 * The one selection of field `name` directly under the field being resolved
 * (also through fragments), so a resolver can read what that field will
 * need in the same query as its own row. Null when it is not selected, is
 * selected more than once (aliases, merged selections), or a directive
 * (@skip, @include) decides whether it runs: then the field resolves on its
 * own, as without this. Only a hint: the field's resolver still decides,
 * from its own validated arguments, whether what was read fits.
 */
export function soleSubfield(info: GraphQLResolveInfo, name: string): Subfield | null {
  const parent = getNamedType(info.returnType);
  if (!isObjectType(parent)) return null;
  const definition = parent.getFields()[name];
  if (!definition) return null;
  const found: FieldNode[] = [];
  const visited = new Set<string>();
  const collect = (selections: SelectionSetNode | undefined): boolean => {
    for (const selection of selections?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== name) continue;
        if (selection.directives?.length) return false;
        found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.directives?.length || !collect(selection.selectionSet)) return false;
      } else {
        if (selection.directives?.length) return false;
        const fragment = info.fragments[selection.name.value];
        if (visited.has(selection.name.value) || !fragment) continue;
        visited.add(selection.name.value);
        if (!collect(fragment.selectionSet)) return false;
      }
    }
    return true;
  };
  for (const node of info.fieldNodes) if (!collect(node.selectionSet)) return null;
  if (found.length !== 1) return null;
  try {
    return { node: found[0], args: getArgumentValues(definition, found[0], info.variableValues) };
  } catch {
    // Arguments that do not coerce: execution reports them when it reaches the field.
    return null;
  }
}
