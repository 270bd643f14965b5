import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import { listDeliveries, maskDestination } from "../../server/services/messages";
import { Connection, toConnection } from "../shared/connection";
import { MessageDeliveryStatus } from "../shared/enums";
import { MessageDelivery } from "./delivery.type";

const MessageDeliveryConnection = Connection(MessageDelivery, "MessageDelivery");

@Resolver(() => MessageDelivery)
export class MessageDeliveryResolver {
  @Query(() => MessageDeliveryConnection, {
    description:
      "Tenant admins: the tenant's outgoing emails, SMS and WhatsApp messages, newest first (verification codes belong to no tenant and are not listed).",
  })
  async messageDeliveries(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
    @Arg("status", () => MessageDeliveryStatus, { nullable: true, description: "Only deliveries in this status." })
    status?: keyof typeof MessageDeliveryStatus,
  ) {
    return toConnection(await listDeliveries(ctx, { first, after, status }), (row) => ({
      ...row,
      maskedDestination: maskDestination(row.destination),
      nextAttemptAt: row.status === "QUEUED" ? row.nextAttemptAt : null,
    }));
  }
}
