/** Relay-style connections: `edges { cursor node }`, `pageInfo`, `totalCount`. */
import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import type { ConnectionShape } from "../../server/pagination";

@ObjectType({ description: "Where a page sits in its list." })
export class PageInfo {
  @Field(() => Boolean, { description: "More items follow this page." })
  hasNextPage: boolean;

  @Field(() => Boolean, { description: "Items precede this page (it was asked for with `after`)." })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first item of the page." })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last item; pass it as `after` for the next page." })
  endCursor: string | null;
}

/** Where a connection's rows are below its field: `nodes` and `edges { node }` (for the planner). */
export const CONNECTION_ROWS = [["nodes"], ["edges", "node"]];

/** The paging arguments of every connection field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: "Page size: 1 to 100 (default 20)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "endCursor of the previous page." })
  after?: string | null;
}

/** Builds the `<Name>Edge` and `<Name>Connection` types for a node type. */
export function Connection<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `A ${name} and its cursor.` })
  class EdgeType {
    @Field(() => String, { description: "Opaque position of this item; pass it as `after`." })
    cursor: string;

    @Field(() => Node, { description: "The item." })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items.` })
  class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType], { description: "The page's items, each with its cursor, in the list's order." })
    edges: EdgeType[];

    @Field(() => [Node], { description: "The page's items without cursors." })
    nodes: T[];

    @Field(() => PageInfo, { description: "Whether more items follow, and the cursors to ask for them." })
    pageInfo: PageInfo;

    @Field(() => Int, { description: "Items in the whole filtered list (counted only when asked for)." })
    totalCount: number;
  }
  return ConnectionType;
}

export { toConnection } from "../../server/pagination";
