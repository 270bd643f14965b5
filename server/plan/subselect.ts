/**
 * The sub-select of a one or many relation of the parent row `p`, whatever each
 * child row becomes in JSON: the planner's compact arrays (planner.ts) or the
 * answer's own objects (raw.ts). Children are of the parent's tenant.
 */
import type { ManyRelation, OneRelation } from "./model";
import type { Aliases, Ref } from "./sql";

/** `row(c)` writes one child row `c` as JSON; a one-relation gives it (or null), a many-relation an array, cut at its cap. */
export function relationRowsSql(relation: OneRelation | ManyRelation, p: Ref, c: Ref, aliases: Aliases, row: (c: Ref) => string): string {
  const sameTenant = `${c.col("tenantId")} = ${p.col("tenantId")}`;
  if (relation.kind === "one") return `(select ${row(c)} from ${c.from} where ${sameTenant} and ${relation.on(p, c)})`;
  if (relation.through) {
    const link = aliases.of(relation.through.table);
    return (
      `array_to_json(array(select ${row(c)} from ${link.from}` +
      ` join ${c.from} on ${c.col("tenantId")} = ${link.col("tenantId")} and ${relation.through.to(link, c)}` +
      ` where ${link.col("tenantId")} = ${p.col("tenantId")} and ${relation.through.on(p, link)}` +
      ` order by ${relation.orderBy(c)} limit ${relation.cap}))`
    );
  }
  return `array_to_json(array(select ${row(c)} from ${c.from} where ${sameTenant} and ${relation.on(p, c)} order by ${relation.orderBy(c)} limit ${relation.cap}))`;
}
