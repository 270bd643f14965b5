import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import { listAudit } from "../../server/services/audit";
import { Connection, toConnection } from "../shared/connection";
import { User } from "../users/user.type";
import { AuditFilter, AuditLogEntry } from "./audit.type";

const AuditLogConnection = Connection(AuditLogEntry, "AuditLog");

@Resolver(() => AuditLogEntry)
export class AuditLogResolver {
  @Query(() => AuditLogConnection, { description: "Tenant admins: every change in the tenant, newest first." })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg("filter", () => AuditFilter, { nullable: true, description: "Conditions the entries must meet." }) filter?: AuditFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await listAudit(ctx, { filter, first, after }), (row) => row);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who made the change (null for jobs and devices)." })
  actor(@Root() entry: AuditLogEntry, @Ctx() ctx: Context) {
    return entry.actorId ? ctx.loaders.user.load(entry.actorId) : null;
  }
}
