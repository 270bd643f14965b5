import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeolocateDocument, LoginDocument, MySessionCountriesDocument } from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import { startTestServer, useTestServer, type TestServer } from "./helpers/server";
import { geolocate } from "../server/geo/geolocation";

// TRUST_PROXY: the caller's address comes from X-Forwarded-For (as behind a proxy).
const t = useTestServer({ TRUST_PROXY: "true" });

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${t.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};

describe("GET /geolocation", () => {
  it("answers a public IPv4 address with country, region, city, time zone and coordinates", async () => {
    const { status, body, headers } = await get("/geolocation?ip=41.59.1.1");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ip: "41.59.1.1",
      version: 4,
      range: "PUBLIC",
      found: true,
      countryCode: "TZ",
      countryName: "Tanzania",
      timeZone: "Africa/Dar_es_Salaam",
    });
    expect(body.city).toBeTypeOf("string");
    expect(body.region).toBeTypeOf("string");
    expect(body.latitude).toBeCloseTo(-6.8, 0);
    expect(body.longitude).toBeCloseTo(39.3, 0);
    expect(headers.get("cache-control")).toContain("public");
  });

  it("answers IPv6, and the legacy path /api/geolocation the same", async () => {
    const v6 = await get("/api/geolocation?ip=2c0f:fc89::1");
    expect(v6.status).toBe(200);
    expect(v6.body).toMatchObject({ version: 6, range: "PUBLIC", found: true, countryCode: "EG" });
    const legacy = await get("/api/geolocation?ip=41.59.1.1");
    expect(legacy.body.countryCode).toBe("TZ");
    // An IPv4-mapped IPv6 address is its IPv4 address.
    const mapped = await get("/geolocation?ip=::ffff:41.59.1.1");
    expect(mapped.body).toMatchObject({ ip: "41.59.1.1", version: 4, countryCode: "TZ" });
  });

  it("private and reserved ranges are answered as such, without a location", async () => {
    for (const [ip, range] of [
      ["10.1.2.3", "PRIVATE"],
      ["192.168.0.1", "PRIVATE"],
      ["fd00::1", "PRIVATE"],
      ["127.0.0.1", "LOOPBACK"],
      ["::1", "LOOPBACK"],
      ["169.254.1.1", "LINK_LOCAL"],
      ["100.64.0.1", "CARRIER_GRADE_NAT"],
      ["192.0.2.1", "RESERVED"],
      ["0.0.0.0", "UNSPECIFIED"],
    ]) {
      const { status, body } = await get(`/geolocation?ip=${encodeURIComponent(ip!)}`);
      expect(status, ip).toBe(200);
      expect(body, ip).toMatchObject({ range, found: false, countryCode: null, city: null, latitude: null });
    }
  });

  it("an invalid address is 400 BAD_USER_INPUT", async () => {
    for (const ip of ["not-an-ip", "999.1.1.1", "1.2.3", "0x7f.1", "1.2.3.4/24", "a".repeat(100)]) {
      const { status, body } = await get(`/geolocation?ip=${encodeURIComponent(ip)}`);
      expect(status, ip).toBe(400);
      expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    }
    const twice = await get("/geolocation?ip=1.1.1.1&ip=8.8.8.8");
    expect(twice.status).toBe(400);
  });

  it("without ip: the caller's address, from X-Forwarded-For only when TRUST_PROXY is on", async () => {
    const forwarded = await get("/geolocation", { "x-forwarded-for": "41.59.1.1" });
    expect(forwarded.body).toMatchObject({ ip: "41.59.1.1", countryCode: "TZ" });
    expect(forwarded.headers.get("cache-control")).toContain("no-store");
    const direct = await get("/geolocation");
    expect(direct.body).toMatchObject({ ip: "127.0.0.1", range: "LOOPBACK", found: false });
  });

  it("country names follow Accept-Language", async () => {
    const { body } = await get("/geolocation?ip=2c0f:fc89::1", { "accept-language": "ar" });
    expect(body.countryName).toBe("مصر");
  });
});

describe("without TRUST_PROXY", () => {
  let direct: TestServer;
  beforeAll(async () => {
    direct = await startTestServer({ RATE_LIMIT_IP_PER_MINUTE: "3" });
  });
  afterAll(() => direct?.close());

  it("X-Forwarded-For is ignored, and the endpoint is rate limited per address", async () => {
    const res = await fetch(`${direct.url}/geolocation`, { headers: { "x-forwarded-for": "41.59.1.1" } });
    expect(await res.json()).toMatchObject({ ip: "127.0.0.1", range: "LOOPBACK" });
    await fetch(`${direct.url}/geolocation?ip=8.8.8.8`);
    await fetch(`${direct.url}/api/geolocation?ip=8.8.8.8`);
    const limited = await fetch(`${direct.url}/geolocation?ip=8.8.8.8`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await limited.json()) as any).errors[0].extensions.code).toBe("RATE_LIMITED");
  });
});

describe("query geolocate", () => {
  it("answers an address, anonymously", async () => {
    const result = data(await t.client().request(GeolocateDocument, { ip: "41.59.1.1" }));
    expect(result.geolocate).toMatchObject({
      version: 4,
      range: "PUBLIC",
      found: true,
      countryCode: "TZ",
      timeZone: "Africa/Dar_es_Salaam",
    });
  });

  it("without ip: the caller's own (forwarded) address", async () => {
    const result = await t
      .client()
      .raw({ query: print(GeolocateDocument), variables: {} }, { headers: { "x-forwarded-for": "2c0f:fc89::1" } });
    expect(result.data.geolocate).toMatchObject({ ip: "2c0f:fc89::1", version: 6, countryCode: "EG" });
  });

  it("private addresses say so; invalid ones are BAD_USER_INPUT", async () => {
    expect(data(await t.client().request(GeolocateDocument, { ip: "192.168.1.1" })).geolocate).toMatchObject({
      range: "PRIVATE",
      found: false,
      countryCode: null,
    });
    const bad = await t.client().request(GeolocateDocument, { ip: "300.1.1.1" });
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("my sessions show their country", () => {
  it("a session signed in from a public address has its country; a local one has none", async () => {
    const user = await t.fixtures.user();
    const login = (forwardedFor: string) =>
      t.client().raw(
        {
          query: print(LoginDocument),
          variables: { input: { identifier: user.phone, password: user.password, deviceName: forwardedFor } },
        },
        { headers: { "x-forwarded-for": forwardedFor } },
      );
    const fromTanzania = await login("41.59.1.1");
    await login("10.0.0.7");
    const sessions = data(await t.client({ token: fromTanzania.data.login.accessToken }).request(MySessionCountriesDocument)).mySessions;
    const byIp = Object.fromEntries(sessions.map((session) => [session.ipAddress, session.country]));
    expect(byIp).toEqual({ "41.59.1.1": "TZ", "10.0.0.7": null });
  });
});

describe("the database is opened on first use", () => {
  it("looks up without a server (the module's own cache)", async () => {
    const started = performance.now();
    await geolocate("8.8.4.4");
    const again = performance.now();
    expect((await geolocate("8.8.4.4")).countryCode).toBe("US");
    expect(performance.now() - again).toBeLessThan(Math.max(50, again - started));
  });
});
