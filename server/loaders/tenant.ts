/** The request's tenant as the loaders state it in every query (row-level security repeats it). */
import { eq } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { LoaderContext } from "./index";

/** `inTenant(table)`: the table's rows of the request's tenant; no tenant matches nothing. */
export function loaderTenant(ctx: LoaderContext) {
  const tenantId = ctx.tenant?.id ?? "00000000-0000-0000-0000-000000000000";
  return (table: { tenantId: AnyPgColumn }) => eq(table.tenantId, tenantId);
}
