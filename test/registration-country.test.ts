/**
 * Registration reads a local phone number ("0754 …", no +country) in the caller's
 * country, geolocated from their address: X-Forwarded-For only behind a trusted
 * proxy (TRUST_PROXY), the socket's address otherwise.
 */
import { randomInt } from "node:crypto";
import { print } from "graphql";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../drizzle/schema";
import { RegisterDocument } from "./sdk/graphql";
import { codes } from "./helpers/client";
import { PASSWORD } from "./helpers/fixtures";
import { startTestServer, useTestServer, type TestServer } from "./helpers/server";

// Addresses the GeoLite database places (test/geolocation.test.ts uses the same).
const TANZANIA = "41.59.1.1";
const EGYPT = "2c0f:fc89::1";

const t = useTestServer({ TRUST_PROXY: "true" });

const digits = (n: number) => String(randomInt(0, 10 ** n)).padStart(n, "0");

async function register(server: TestServer, phoneNumber: string, forwardedFor?: string) {
  return server
    .client()
    .raw(
      { query: print(RegisterDocument), variables: { input: { phoneNumber, password: PASSWORD, firstName: "Asha" } } },
      { headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {} },
    );
}

const stored = async (server: TestServer, e164: string) =>
  (await server.deps.database.db.select({ phone: users.phoneNumber1 }).from(users).where(eq(users.phoneNumber1, e164))).map(
    (row) => row.phone,
  );

describe("a local phone number at registration", () => {
  it("is read in the country of a forwarded Tanzanian address", async () => {
    const local = `0754 ${digits(3)} ${digits(3)}`;
    const result = await register(t, local, TANZANIA);
    expect(result.errors).toBeUndefined();
    const e164 = `+255${local.slice(1).replaceAll(" ", "")}`;
    expect(await stored(t, e164)).toEqual([e164]);
  });

  it("is read in the country of a forwarded Egyptian IPv6 address", async () => {
    const local = `0100${digits(7)}`;
    const result = await register(t, local, EGYPT);
    expect(result.errors).toBeUndefined();
    const e164 = `+20${local.slice(1)}`;
    expect(await stored(t, e164)).toEqual([e164]);
  });

  it("an international number is kept as it is, whatever the caller's country", async () => {
    const e164 = `+20100${digits(7)}`;
    expect((await register(t, e164, TANZANIA)).errors).toBeUndefined();
    expect(await stored(t, e164)).toEqual([e164]);
  });

  it("with no known country (a private or loopback address) a local number is BAD_USER_INPUT, and nothing is stored", async () => {
    const local = `0754${digits(6)}`;
    for (const forwarded of [undefined, "10.1.2.3", "192.168.0.1"]) {
      const result = await register(t, local, forwarded);
      expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors![0]!.extensions?.field).toBe("phoneNumber");
    }
    expect(await stored(t, `+255${local.slice(1)}`)).toEqual([]);
  });

  it("a local number that is not valid in the caller's country is BAD_USER_INPUT", async () => {
    // Egyptian mobiles have 11 digits nationally; 5 is no number anywhere.
    expect(codes(await register(t, "01234", EGYPT))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await register(t, "0754\u0000123456", TANZANIA))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("without TRUST_PROXY", () => {
  let direct: TestServer;
  beforeAll(async () => {
    direct = await startTestServer();
  });
  afterAll(() => direct?.close());

  it("X-Forwarded-For is not believed: the caller is loopback, so a local number is BAD_USER_INPUT", async () => {
    const local = `0754${digits(6)}`;
    expect(codes(await register(direct, local, TANZANIA))).toEqual(["BAD_USER_INPUT"]);
    expect(await stored(direct, `+255${local.slice(1)}`)).toEqual([]);
  });
});
