/**
 * Embedded mode keeps everything in ROSTER_DATA_DIR: after a restart on the
 * same directory, accounts, sessions and the JWT signing key are still there,
 * so people stay signed in.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginDocument, MeDocument, RefreshTokenDocument, RegisterDocument } from "./sdk/graphql";
import { data } from "./helpers/client";
import { PASSWORD, uniquePhone, type TestTenant } from "./helpers/fixtures";
import { startTestServer, type TestServer } from "./helpers/server";

// With DATABASE_URL the test servers use that PostgreSQL and ROSTER_DB is
// ignored: what survives a restart there is PostgreSQL's business, not ours.
describe.skipIf(Boolean(process.env.DATABASE_URL))("embedded database on disk", () => {
  let dataDir: string;
  let running: TestServer | undefined;

  /** A server on the shared data directory, as `npm start` runs (not NODE_ENV=test, whose key is throwaway). */
  const start = async () => {
    running = await startTestServer({ ROSTER_DB: "file", ROSTER_DATA_DIR: dataDir, NODE_ENV: "development" });
    return running;
  };
  const stop = async () => {
    await running?.close();
    running = undefined;
  };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-persistence-"));
  });
  afterAll(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps accounts, sessions and the signing key across a restart", async () => {
    const phone = uniquePhone();
    let tenant: TestTenant;
    let accessToken: string;
    let refreshToken: string;
    let kid: string;

    {
      const t = await start();
      expect(t.deps.database.kind).toBe("pglite");
      tenant = await t.fixtures.tenant();
      data(
        await t.client({ tenant: tenant.slug }).request(RegisterDocument, {
          input: { phoneNumber: phone, password: PASSWORD, firstName: "Salma", role: "STUDENT" },
        }),
      );
      const login = data(
        await t
          .client({ tenant: tenant.slug })
          .request(LoginDocument, { input: { identifier: phone, password: PASSWORD, deviceName: "before" } }),
      );
      accessToken = login.login.accessToken;
      refreshToken = login.login.refreshToken!;
      kid = t.deps.signingKey.kid;
      expect(data(await t.client({ token: accessToken }).request(MeDocument)).me.firstName).toBe("Salma");
      await stop();
    }

    expect(fs.existsSync(path.join(dataDir, "pglite"))).toBe(true);
    const keyFile = path.join(dataDir, "jwt-eddsa.jwk.json");
    expect(fs.existsSync(keyFile)).toBe(true);
    if (process.platform !== "win32") expect(fs.statSync(keyFile).mode & 0o077).toBe(0);

    {
      const t = await start();
      expect(t.deps.signingKey.kid).toBe(kid);

      const me = data(await t.client({ token: accessToken }).request(MeDocument));
      expect(me.me).toMatchObject({ firstName: "Salma", phoneNumber1: phone });
      expect(me.me.membership).toMatchObject({ roles: ["STUDENT"], tenant: { slug: tenant.slug } });

      const refreshed = data(await t.client().request(RefreshTokenDocument, { refreshToken }));
      expect(refreshed.refreshToken.user.firstName).toBe("Salma");

      const again = data(
        await t.client({ tenant: tenant.slug }).request(LoginDocument, { input: { identifier: phone, password: PASSWORD } }),
      );
      expect(again.login.tenant?.slug).toBe(tenant.slug);
      expect(data(await t.client({ token: again.login.accessToken }).request(MeDocument)).me.phoneNumber1).toBe(phone);
    }
  });
});
