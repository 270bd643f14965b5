import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import { countryOf, geolocate } from "../../server/geo/geolocation";
import { Session } from "../auth/auth.type";
import { Geolocation } from "./geo.type";

@Resolver(() => Geolocation)
export class GeolocationResolver {
  @Query(() => Geolocation, {
    description:
      "Where an IP address is (country, region, city, time zone, coordinates), from an offline database. Without `ip`, the caller's own address (X-Forwarded-For only behind TRUST_PROXY). Anyone may ask. BAD_USER_INPUT when `ip` is not an IPv4 or IPv6 address; private and reserved addresses are answered with their `range` and no location.",
  })
  geolocate(
    @Arg("ip", () => String, { nullable: true, description: "An IPv4 or IPv6 address; omit for your own." }) ip: string | null | undefined,
    @Ctx() ctx: Context,
  ) {
    return geolocate(ip?.trim() ? ip : ctx.ip, { databaseDir: ctx.app.config.geolocation.databaseDir, language: ctx.language });
  }
}

@Resolver(() => Session)
export class SessionGeolocationResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: "ISO 3166-1 alpha-2 country of the session's last address (offline database); null for private or unknown addresses.",
  })
  country(@Root() session: Session, @Ctx() ctx: Context) {
    return countryOf(session.ipAddress, ctx.app.config.geolocation.databaseDir);
  }
}
