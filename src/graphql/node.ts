import { Field, ID, InterfaceType } from 'type-graphql';

export {
  NODE_TYPES,
  type NodeType,
  toGlobalId,
  fromGlobalId,
  rawIdOf,
  catalogRawId,
  splitCatalogRawId,
} from '../shared/global-id';

@InterfaceType({ description: 'An object with an identity of its own: `node(id:)` fetches it again by its `id`.' })
export abstract class Node {
  /**
   * Each implementation computes its global id from its raw `id` (which
   * stays the property resolvers and services use). Not a simple resolver:
   * graphql-js's default would read the raw `id`.
   */
  @Field(() => ID, {
    name: 'id',
    simple: false,
    description: 'Global id (opaque): unique across types and workspaces; node(id:) takes it.',
  })
  nodeId: string;
}
