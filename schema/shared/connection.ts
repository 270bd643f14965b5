/** Relay-style connections: `edges { cursor node }`, `pageInfo`, `totalCount`. */
import { Field, Int, ObjectType, type ClassType } from "type-graphql";
import type { Page } from "../../server/pagination";

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

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds the `<Name>Edge` and `<Name>Connection` types for a node type. */
export function Connection<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `A ${name} and its cursor.` })
  class EdgeType {
    @Field(() => String, { description: "Opaque position of this item; pass it as `after`." })
    cursor: string;

    @Field(() => Node)
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items.` })
  class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => [Node], { description: "The page's items without cursors." })
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: "Items in the whole filtered list." })
    totalCount: number;
  }
  return ConnectionType;
}

/** Maps a service page to the connection shape, mapping each row with `map`. */
export function toConnection<Row, T>(page: Page<Row>, map: (row: Row) => T): ConnectionShape<T> {
  const edges = page.nodes.map((row) => ({ cursor: page.cursorOf(row), node: map(row) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}
