import { toGlobalId } from '../shared/global-id';
import type { FilterSetDef } from './filter.model';
import { compileFilterSet } from './filter.sql';
import { MAX_LIST_NESTING, type AnyFilterDef } from './person-filter.model';
import { filterInputError, MAX_NESTED_PARAMETERS, nestingTooLarge, SmartListErrorReason } from './smart-list.errors';

/**
 * The rules memberOfSmartList must keep across a workspace's lists, checked
 * on every write against all of the workspace's lists as they would be after
 * it (the caller holds them locked, so two writes cannot each pass alone and
 * break a rule together): every named list exists, no list reaches itself,
 * no chain is longer than MAX_LIST_NESTING, and no definition with its
 * nested lists inlined compiles to more bound values than one query takes.
 * Lists were within the rules before the write, so any break goes through
 * the list being written, and the error names one of its filters.
 */

type Path = ReadonlyArray<string>;

export interface ListNode {
  id: string;
  name: string;
  definition: FilterSetDef;
}

const refsOf = (filters: readonly AnyFilterDef[]): Array<{ index: number; id: string }> =>
  filters.flatMap((f, index) => ('kind' in f && f.kind === 'memberOfSmartList' ? [{ index, id: f.smartListId }] : []));

const refPath = (path: Path, index: number) => [...path, 'filters', String(index), 'memberOfSmartList', 'smartListId'];

/** Definitions by id, for compileFilterSet's `lists`. */
export const definitionsOf = (lists: ReadonlyMap<string, ListNode>): Map<string, FilterSetDef> =>
  new Map([...lists].map(([id, list]) => [id, list.definition]));

export const compiledSize = (definition: FilterSetDef, lists: ReadonlyMap<string, FilterSetDef>): number =>
  compileFilterSet(definition, { now: 0, personId: 'p.id', lists }).params.length;

/**
 * Every list a filter set names exists (is in `lists`, which holds the lists
 * nested below it too) and the set with them inlined fits one query; a
 * campaign's filters need no more (nothing refers to a campaign's filters).
 */
export function checkReferencedLists(
  definition: FilterSetDef,
  lists: ReadonlyMap<string, FilterSetDef>,
  path: Path,
  what: string,
): void {
  for (const { index, id } of refsOf(definition.filters)) {
    if (!lists.has(id)) {
      throw filterInputError(
        `no smart list ${toGlobalId('SmartList', id)} in this workspace`,
        refPath(path, index),
        SmartListErrorReason.REFERENCE_NOT_FOUND,
      );
    }
  }
  const size = compiledSize(definition, lists);
  if (size > MAX_NESTED_PARAMETERS) throw nestingTooLarge(`this ${what}`, size, [...path, 'filters']);
}

/**
 * Checks `written` (a new list, or a new definition of one) against the
 * workspace's other lists; returns the ids of the lists that contain it,
 * directly or not (their sizes changed too: campaigns naming them are the
 * caller's to check).
 */
export function checkListGraph(written: ListNode, current: ReadonlyMap<string, ListNode>, path: Path): Set<string> {
  const lists = new Map(current).set(written.id, written);
  const name = (id: string) => JSON.stringify(lists.get(id)!.name);
  const definitions = definitionsOf(lists);
  checkReferencedLists(written.definition, definitions, path, 'list');

  // A cycle through `written`: a path from one of its references back to it.
  const pathBack = (from: string, seen: Set<string>): string[] | null => {
    if (from === written.id) return [from];
    if (seen.has(from)) return null;
    seen.add(from);
    for (const { id } of refsOf(lists.get(from)!.definition.filters)) {
      const rest = pathBack(id, seen);
      if (rest) return [from, ...rest];
    }
    return null;
  };
  for (const { index, id } of refsOf(written.definition.filters)) {
    const back = pathBack(id, new Set());
    if (back) {
      throw filterInputError(
        `would make a cycle of smart lists: ${[written.id, ...back].map(name).join(' → ')}`,
        refPath(path, index),
        SmartListErrorReason.NESTING_CYCLE,
      );
    }
  }

  // Now acyclic: the longest chain below a list, and the longest above `written`.
  const below = new Map<string, string[]>();
  const chainBelow = (id: string): string[] => {
    let chain = below.get(id);
    if (!chain) {
      const longest = refsOf(lists.get(id)!.definition.filters)
        .map((ref) => chainBelow(ref.id))
        .reduce<string[]>((a, b) => (b.length > a.length ? b : a), []);
      below.set(id, (chain = [id, ...longest]));
    }
    return chain;
  };
  const parents = (id: string) =>
    [...lists.values()].filter((list) => refsOf(list.definition.filters).some((ref) => ref.id === id));
  const ancestors = new Set<string>();
  const chainAbove = (id: string): string[] => {
    const longest = parents(id)
      .map((parent) => {
        ancestors.add(parent.id);
        return chainAbove(parent.id);
      })
      .reduce<string[]>((a, b) => (b.length > a.length ? b : a), []);
    return [...longest, id];
  };
  const chain = [...chainAbove(written.id).slice(0, -1), ...chainBelow(written.id)];
  if (chain.length > MAX_LIST_NESTING) {
    const deepest = refsOf(written.definition.filters).reduce<{ index: number; id: string } | null>(
      (a, b) => (a === null || chainBelow(b.id).length > chainBelow(a.id).length ? b : a),
      null,
    );
    throw filterInputError(
      `would nest smart lists ${chain.length} deep (${chain.map(name).join(' → ')}); at most ${MAX_LIST_NESTING} (a → b → c)`,
      deepest ? refPath(path, deepest.index) : [...path, 'filters'],
      SmartListErrorReason.NESTING_TOO_DEEP,
    );
  }

  for (const id of ancestors) {
    const size = compiledSize(lists.get(id)!.definition, definitions);
    if (size > MAX_NESTED_PARAMETERS)
      throw nestingTooLarge(`smart list ${name(id)}, which contains this one,`, size, [...path, 'filters']);
  }
  return ancestors;
}
