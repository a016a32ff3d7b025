import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { UserInputError } from '../shared/errors';
import { decodeCursor, InvalidCursorError, type CursorKey } from '../shared/cursor';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

/** `first` (1..100, default 20) and `after` for a Relay connection field. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/** Decodes `after`, answering BAD_USER_INPUT on the `after` field for a malformed cursor. */
export function decodeAfter<T extends CursorKey>(
  after: string | null | undefined,
  shape: ReadonlyArray<'string' | 'number'>,
): T | null {
  if (after == null) return null;
  try {
    return decodeCursor<T>(after, shape);
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw new UserInputError('after is not a valid cursor for this list', ['after'], 'INVALID_CURSOR');
    throw err;
  }
}

/**
 * Builds edges and pageInfo from a page fetched with LIMIT first + 1 (the
 * extra row only tells whether there is a next page).
 */
export function connectionFrom<TRow, TNode>(
  rows: readonly TRow[],
  first: number,
  hadCursor: boolean,
  cursorOf: (row: TRow) => string,
  toNode: (row: TRow) => TNode,
): { edges: Array<{ cursor: string; node: TNode }>; pageInfo: PageInfo } {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: toNode(row) }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: rows.length > first,
    hasPreviousPage: hadCursor,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  });
  return { edges, pageInfo };
}

export interface Connection<TNode> {
  edges: Array<{ cursor: string; node: TNode }>;
  pageInfo: PageInfo;
}

/**
 * The `<Name>Edge` and `<Name>Connection` object types of a Relay connection
 * over `node()`: one definition instead of two classes per list. (Connections
 * with more fields, such as PersonConnection's totalCount, declare their own.)
 */
export function connectionType<TNode extends object>(
  name: string,
  node: () => ClassType<TNode>,
): ClassType<Connection<TNode>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor: string;

    @Field(node)
    node: TNode;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionOf {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionOf;
}
