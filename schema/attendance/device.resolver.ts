import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context";
import * as devices from "../../server/services/devices";
import { UUID } from "../shared/scalars";
import { Device, RegisterDevicePayload } from "./attendance.type";

@Resolver(() => Device)
export class DeviceResolver {
  @Query(() => [Device], { description: "Staff: the tenant's attendance devices, newest first, revoked ones too (at most 500)." })
  devices(@Ctx() ctx: Context) {
    return devices.listDevices(ctx);
  }

  @Mutation(() => RegisterDevicePayload, { description: "Staff: registers a device; the token is shown once." })
  registerDevice(
    @Arg("name", () => String, { description: '1 to 100 characters, e.g. "Front desk tablet".' }) name: string,
    @Ctx() ctx: Context,
  ) {
    return devices.registerDevice(ctx, name);
  }

  @Mutation(() => Device, {
    description: "Staff: revokes a device; its token stops working at once (its open WebSocket connections close).",
  })
  revokeDevice(
    @Arg("id", () => UUID, { description: "The device to revoke (NOT_FOUND if already revoked)." }) id: string,
    @Ctx() ctx: Context,
  ) {
    return devices.revokeDevice(ctx, id);
  }
}
