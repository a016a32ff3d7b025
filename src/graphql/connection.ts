import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { UserInputError } from '../shared/errors';
import { decodeCursor, InvalidCursorError, type CursorKey } from '../shared/cursor';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Plain properties (no auth or middleware on them), so graphql-js reads them without a resolver wrapper each. */
@ObjectType({ simpleResolvers: true })
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
  private pageSize = DEFAULT_PAGE_SIZE;

  /**
   * An explicit `first: null` is the default page size too (the schema's
   * default only applies when the argument is left out). type-graphql
   * assigns the arguments to a new instance, which goes through the setter.
   */
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  get first(): number {
    return this.pageSize;
  }

  set first(value: number | null | undefined) {
    this.pageSize = value ?? DEFAULT_PAGE_SIZE;
  }

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/**
 * A connection paged both ways (Relay's `first`/`after` and `last`/`before`).
 * No schema default for `first`, so that `last` can be given alone; left
 * out or null, both mean the default page size from the start.
 */
@ArgsType()
export class BidirectionalConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description: `The first N (after \`after\`), 1..${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when neither first nor last is given.`,
  })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `The last N (before \`before\`), 1..${MAX_PAGE_SIZE}: a backward page, still in list order.`,
  })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

/** What a page asks for: how many, from which end. */
export interface PageRequest {
  size: number;
  /** `last`: the page is taken from the end of the (cursor-bounded) list. */
  backward: boolean;
}

export function pageRequest(args: BidirectionalConnectionArgs): PageRequest {
  if (args.first != null && args.last != null)
    throw new UserInputError('first and last cannot be combined: page forward or backward', ['last'], 'FIRST_AND_LAST');
  if (args.last != null) return { size: args.last, backward: true };
  return { size: args.first ?? DEFAULT_PAGE_SIZE, backward: false };
}

/** Decodes `after`, answering BAD_USER_INPUT on the `after` field for a malformed cursor. */
export function decodeAfter<T extends CursorKey>(
  after: string | null | undefined,
  shape: ReadonlyArray<'string' | 'number'>,
): T | null {
  return decodeCursorArg<T>('after', after, shape);
}

/** Decodes the cursor argument `name` (after, before), answering BAD_USER_INPUT on it for a malformed cursor. */
export function decodeCursorArg<T extends CursorKey>(
  name: string,
  cursor: string | null | undefined,
  shape: ReadonlyArray<'string' | 'number'>,
): T | null {
  if (cursor == null) return null;
  try {
    return decodeCursor<T>(cursor, shape);
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw new UserInputError(`${name} is not a valid cursor for this list`, [name], 'INVALID_CURSOR');
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
  return pageConnection(rows, { size: first, backward: false }, { after: hadCursor, before: false }, cursorOf, toNode);
}

/**
 * Edges and pageInfo of a page fetched with LIMIT size + 1, in list order:
 * forward, the extra row is the last one and says there is a next page;
 * backward (`last`), it is the first and says there is a previous page. The
 * other direction, as the Relay spec allows, says only whether the page was
 * bounded by a cursor on that side (`after` forward, `before` backward).
 */
export function pageConnection<TRow, TNode>(
  rows: readonly TRow[],
  request: PageRequest,
  cursors: { after: boolean; before: boolean },
  cursorOf: (row: TRow) => string,
  toNode: (row: TRow) => TNode,
): { edges: Array<{ cursor: string; node: TNode }>; pageInfo: PageInfo } {
  const extra = rows.length > request.size;
  const page = request.backward ? rows.slice(extra ? rows.length - request.size : 0) : rows.slice(0, request.size);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: toNode(row) }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: request.backward ? cursors.before : extra,
    hasPreviousPage: request.backward ? extra : cursors.after,
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
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field()
    cursor: string;

    @Field(node)
    node: TNode;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionOf {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionOf;
}
