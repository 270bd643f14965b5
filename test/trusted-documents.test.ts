/**
 * TRUSTED_DOCUMENTS=enforce: only the operations of the generated manifest
 * (server/graphql/trusted-documents.json) run, named by hash (APQ's
 * extensions.persistedQuery.sha256Hash or documentId) or sent as their text;
 * unknown hashes and ad-hoc text are refused, over HTTP and WebSocket alike;
 * with TRUSTED_DOCUMENTS_ALLOW_STAFF_ADHOC staff may still send anything.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { print } from "graphql";
import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MANIFEST_FILE } from "../server/graphql/trusted-documents";
import { data } from "./helpers/client";
import type { TestServer } from "./helpers/server";
import { useTestServer } from "./helpers/server";
import { MeDocument, TagsDocument, UnreadNotificationCountDocument, NotificationAddedDocument } from "./sdk/graphql";

const manifest = JSON.parse(fs.readFileSync(MANIFEST_FILE, "utf8")) as { operations: { id: string; name: string; body: string }[] };
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const idOf = (name: string) => {
  const entry = manifest.operations.find((operation) => operation.name === name && operation.body === print(documents[name]!));
  if (!entry) throw new Error(`${name} is not in the manifest`);
  return entry.id;
};
const documents: Record<string, Parameters<typeof print>[0]> = {
  Me: MeDocument,
  Tags: TagsDocument,
  UnreadNotificationCount: UnreadNotificationCountDocument,
  NotificationAdded: NotificationAddedDocument,
};
const persisted = (sha256Hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
const UNKNOWN = sha256("query Unknown { me { id } }");
const AD_HOC = "query AdHoc { me { id firstName } }";

/** One operation over graphql-ws with a raw payload: its first result, or its errors. */
async function overWs(t: TestServer, token: string, payload: Record<string, unknown>, { wait = 3000 } = {}) {
  const client = createClient({
    url: `${t.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  try {
    return await new Promise<{ data?: any; errors?: { message: string; extensions?: { code?: string } }[]; quiet?: true }>((resolve) => {
      const timer = setTimeout(() => resolve({ quiet: true }), wait);
      client.subscribe({ query: "", ...payload } as never, {
        next: (result) => {
          clearTimeout(timer);
          resolve(result as never);
        },
        error: (error) => {
          clearTimeout(timer);
          resolve({ errors: Array.isArray(error) ? error : [{ message: String((error as Error).message ?? error) }] });
        },
        complete: () => {},
      });
    });
  } finally {
    await client.dispose();
  }
}

describe("TRUSTED_DOCUMENTS=enforce", () => {
  const t = useTestServer({ TRUSTED_DOCUMENTS: "enforce" });

  it("the manifest lists the tests' and the back office's operations, each id the SHA-256 of its body", () => {
    expect(manifest.operations.length).toBeGreaterThan(100);
    for (const operation of manifest.operations) expect(operation.id).toBe(sha256(operation.body));
    expect(manifest.operations.some((operation) => (operation as { client?: string }).client === "admin")).toBe(true);
    expect(t.server.deps.config.graphql.trustedDocuments).toBe("enforce");
  });

  it("runs a listed operation named by hash (APQ), by documentId, by GET, and sent as its text", async () => {
    const tenant = await t.fixtures.tenant();
    const admin = await t.fixtures.member(tenant, ["ADMIN"]);
    const client = admin.client;

    const byApq = await client.raw({ ...persisted(idOf("Me")) });
    expect(byApq.status).toBe(200);
    expect(byApq.data.me.id).toBe(admin.user.id);

    const byDocumentId = await client.raw({ documentId: `sha256:${idOf("UnreadNotificationCount")}` });
    expect(byDocumentId.errors).toBeUndefined();
    expect(byDocumentId.data.unreadNotificationCount).toBe(0);

    const byGet = await fetch(`${t.url}/graphql?documentId=${idOf("Me")}`, {
      headers: { authorization: `Bearer ${admin.token}`, "apollo-require-preflight": "true" },
    });
    expect(byGet.status).toBe(200);
    expect(((await byGet.json()) as { data: { me: { id: string } } }).data.me.id).toBe(admin.user.id);

    // Our own clients send the listed text and need no change.
    expect(data(await client.request(MeDocument)).me?.id).toBe(admin.user.id);
    // Whitespace and comments do not make a listed operation another one.
    const reformatted = await client.raw({ query: `# the same\n${print(MeDocument).replace(/\n\s*/g, " ")}` });
    expect(reformatted.errors).toBeUndefined();
  });

  it("refuses an unknown hash (PERSISTED_QUERY_NOT_FOUND) and ad-hoc text (PERSISTED_QUERY_NOT_ALLOWED), even from staff", async () => {
    const tenant = await t.fixtures.tenant();
    const admin = await t.fixtures.member(tenant, ["ADMIN"]);
    for (const client of [t.client(), admin.client]) {
      const unknown = await client.raw(persisted(UNKNOWN));
      expect(unknown.status).toBe(400);
      expect(unknown.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
      expect(unknown.errors?.[0]?.message).toContain(UNKNOWN);

      const unknownId = await client.raw({ documentId: UNKNOWN });
      expect(unknownId.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");

      const adHoc = await client.raw({ query: AD_HOC });
      expect(adHoc.status).toBe(400);
      expect(adHoc.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
      expect(adHoc.data ?? null).toBeNull();

      // APQ's registration (text with its own hash) does not make text trusted.
      const registered = await client.raw({ query: AD_HOC, ...persisted(sha256(AD_HOC)) });
      expect(registered.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
      const again = await client.raw(persisted(sha256(AD_HOC)));
      expect(again.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    }
    // Introspection is ad-hoc text too.
    const introspection = await admin.client.raw({ query: "{ __schema { queryType { name } } }" });
    expect(introspection.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
  });

  it("applies the same rule over WebSocket: listed by hash runs, unknown hash and ad-hoc text are refused", async () => {
    const tenant = await t.fixtures.tenant();
    const admin = await t.fixtures.member(tenant, ["ADMIN"]);

    const byHash = await overWs(t, admin.token, persisted(idOf("Me")));
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data.me.id).toBe(admin.user.id);

    const byDocumentId = await overWs(t, admin.token, { documentId: idOf("UnreadNotificationCount") });
    expect(byDocumentId.data?.unreadNotificationCount).toBe(0);

    // A listed subscription by hash is accepted (no error; it waits for events).
    const subscription = await overWs(t, admin.token, persisted(idOf("NotificationAdded")), { wait: 500 });
    expect(subscription).toEqual({ quiet: true });

    const unknown = await overWs(t, admin.token, persisted(UNKNOWN));
    expect(unknown.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");

    const adHoc = await overWs(t, admin.token, { query: AD_HOC });
    expect(adHoc.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");

    const adHocSubscription = await overWs(t, admin.token, { query: "subscription { notificationAdded { id } }" });
    expect(adHocSubscription.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
  });
});

describe("TRUSTED_DOCUMENTS=enforce with TRUSTED_DOCUMENTS_ALLOW_STAFF_ADHOC", () => {
  const t = useTestServer({ TRUSTED_DOCUMENTS: "enforce", TRUSTED_DOCUMENTS_ALLOW_STAFF_ADHOC: "true" });

  it("lets tenant staff and platform admins send ad-hoc operations, nobody else", async () => {
    const tenant = await t.fixtures.tenant();
    const staff = await t.fixtures.member(tenant, ["STAFF"]);
    const student = await t.fixtures.member(tenant, ["STUDENT"]);
    const platformAdmin = await t.fixtures.login(await t.fixtures.user({ platformAdmin: true }));

    for (const allowed of [staff, platformAdmin]) {
      const adHoc = await allowed.client.raw({ query: AD_HOC });
      expect(adHoc.errors).toBeUndefined();
      expect(adHoc.data.me.id).toBe(allowed.user.id);
    }
    const staffIntrospection = await staff.client.raw({ query: "{ __schema { queryType { name } } }" });
    expect(staffIntrospection.data?.__schema.queryType.name).toBe("Query");

    for (const client of [student.client, t.client({ tenant: tenant.slug })]) {
      const refused = await client.raw({ query: AD_HOC });
      expect(refused.status).toBe(400);
      expect(refused.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
      const introspection = await client.raw({ query: "{ __schema { queryType { name } } }" });
      expect(introspection.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
    }
    // Listed operations still run for everyone; unknown hashes are still unknown.
    expect(data(await student.client.request(TagsDocument, {})).tags).toBeDefined();
    expect((await staff.client.raw(persisted(UNKNOWN))).errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("over WebSocket too", async () => {
    const tenant = await t.fixtures.tenant();
    const staff = await t.fixtures.member(tenant, ["STAFF"]);
    const student = await t.fixtures.member(tenant, ["STUDENT"]);
    const allowed = await overWs(t, staff.token, { query: AD_HOC });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.me.id).toBe(staff.user.id);
    const subscription = await overWs(t, staff.token, { query: "subscription { notificationAdded { id } }" }, { wait: 500 });
    expect(subscription).toEqual({ quiet: true });

    const refused = await overWs(t, student.token, { query: AD_HOC });
    expect(refused.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
    const refusedSubscription = await overWs(t, student.token, { query: "subscription { notificationAdded { id } }" });
    expect(refusedSubscription.errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_ALLOWED");
  });
});

describe("TRUSTED_DOCUMENTS=off (the default)", () => {
  const t = useTestServer();

  it("runs ad-hoc text, and still accepts a listed operation by hash", async () => {
    const tenant = await t.fixtures.tenant();
    const student = await t.fixtures.member(tenant, ["STUDENT"]);
    expect((await student.client.raw({ query: AD_HOC })).data.me.id).toBe(student.user.id);
    expect((await student.client.raw({ documentId: idOf("Me") })).data.me.id).toBe(student.user.id);
  });
});
