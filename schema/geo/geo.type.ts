import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { IP_RANGES, type Geolocation as GeolocationRow, type IpRange as IpRangeValue } from "../../server/geo/geolocation";

export const IpRange = Object.fromEntries(IP_RANGES.map((value) => [value, value])) as { [K in IpRangeValue]: K };

registerEnumType(IpRange, {
  name: "IpRange",
  description: "What kind of address an IP is; only PUBLIC ones are looked up.",
  valuesConfig: {
    PUBLIC: { description: "A public (globally routed) address: looked up in the database." },
    PRIVATE: { description: "A private network (10/8, 172.16/12, 192.168/16, fc00::/7): no location." },
    LOOPBACK: { description: "This machine (127/8, ::1): no location." },
    LINK_LOCAL: { description: "Link-local (169.254/16, fe80::/10): no location." },
    CARRIER_GRADE_NAT: { description: "Shared address space of carrier-grade NAT (100.64/10): no location." },
    MULTICAST: { description: "A multicast group address: no location." },
    UNSPECIFIED: { description: "The unspecified address (0.0.0.0, ::): no location." },
    RESERVED: { description: "Any other reserved or special-purpose range (documentation, benchmarking, broadcast …): no location." },
  },
});

@ObjectType({ description: "Where an IP address is, from the offline GeoLite2 City database; city-level answers are approximate." })
export class Geolocation implements GeolocationRow {
  @Field(() => String, { description: "The address looked up, normalised (IPv4-mapped IPv6 addresses as IPv4)." })
  ip: string;

  @Field(() => Int, { description: "4 or 6." })
  version: 4 | 6;

  @Field(() => IpRange, { description: "What kind of address it is; private and reserved ones are answered without a location." })
  range: IpRangeValue;

  @Field(() => Boolean, { description: "The database knows the address (false for non-public addresses and unknown ones)." })
  found: boolean;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 country code, e.g. "EG"; null when unknown.' })
  countryCode: string | null;

  @Field(() => String, { nullable: true, description: "The country's name in the request's language; null when unknown." })
  countryName: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Region (governorate, state, province) as the database names it, in English; null when unknown.",
  })
  region: string | null;

  @Field(() => String, { nullable: true, description: "City, in English; null when unknown." })
  city: string | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. "Africa/Cairo"; null when unknown.' })
  timeZone: string | null;

  @Field(() => Float, { nullable: true, description: "Approximate latitude in degrees (WGS 84); null when unknown." })
  latitude: number | null;

  @Field(() => Float, { nullable: true, description: "Approximate longitude in degrees (WGS 84); null when unknown." })
  longitude: number | null;
}
