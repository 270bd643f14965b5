import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../drizzle/schema";
import type { OutboxProvider } from "../server/messaging";
import {
  ConfirmContactChangeDocument,
  LoginDocument,
  ProfileUpdatedDocument,
  RequestContactChangeDocument,
  UpdateProfileDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import { uniquePhone } from "./helpers/fixtures";
import { subscribed, useTestServer } from "./helpers/server";

const t = useTestServer();
const outbox = () => t.deps.messages as OutboxProvider;
const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? "")?.[1];
const wrongFor = (code: string) => (code === "000000" ? "111111" : "000000");

describe("changing the login phone number or email", () => {
  it("moves the email after a code sent to the new address; the old one is told and no longer signs in", async () => {
    const signedIn = await t.fixtures.login(await t.fixtures.user());
    const ws = t.ws({ token: signedIn.token });
    const sub = await subscribed(t, () => ws.subscribe(ProfileUpdatedDocument));
    const email = `moved-${Date.now()}@test.example`;
    const asked = data(
      await signedIn.client.request(RequestContactChangeDocument, {
        input: { email: email.toUpperCase(), currentPassword: signedIn.user.password },
      }),
    );
    expect(asked.requestContactChange).toEqual({ channel: "EMAIL", destination: email });
    // Nothing changes before the code comes back.
    const [before] = await t.deps.database.db.select({ email: users.email }).from(users).where(eq(users.id, signedIn.user.id));
    expect(before!.email).toBe(signedIn.user.email);

    const code = codeIn(outbox().last(email)?.text)!;
    const confirmed = data(await signedIn.client.request(ConfirmContactChangeDocument, { code }));
    expect(confirmed.confirmContactChange).toMatchObject({ id: signedIn.user.id, email, isVerified: true });
    const [after] = await t.deps.database.db.select().from(users).where(eq(users.id, signedIn.user.id));
    expect(after!.emailVerifiedAt).not.toBeNull();
    expect(outbox().last(signedIn.user.email)?.text).toContain(email);
    expect((await sub.next()).data?.profileUpdated.changedFields).toEqual(["email"]);

    data(await t.client().request(LoginDocument, { input: { identifier: email, password: signedIn.user.password } }));
    expect(
      codes(await t.client().request(LoginDocument, { input: { identifier: signedIn.user.email, password: signedIn.user.password } })),
    ).toEqual(["UNAUTHENTICATED"]);
    // A code works once.
    expect(codes(await signedIn.client.request(ConfirmContactChangeDocument, { code }))).toEqual(["BAD_USER_INPUT"]);
    await ws.close();
  });

  it("moves the phone number, by WhatsApp when asked", async () => {
    const signedIn = await t.fixtures.login(await t.fixtures.user());
    const phone = uniquePhone();
    const asked = data(
      await signedIn.client.request(RequestContactChangeDocument, {
        input: { phoneNumber: phone, currentPassword: signedIn.user.password, channel: "WHATSAPP" },
      }),
    );
    expect(asked.requestContactChange).toEqual({ channel: "WHATSAPP", destination: phone });
    expect(outbox().last(phone)?.channel).toBe("WHATSAPP");
    const confirmed = data(await signedIn.client.request(ConfirmContactChangeDocument, { code: codeIn(outbox().last(phone)?.text)! }));
    expect(confirmed.confirmContactChange.phoneNumber1).toBe(phone);
    data(await t.client().request(LoginDocument, { input: { identifier: phone, password: signedIn.user.password } }));
  });

  it("needs the current password, one address, and a signed-in caller", async () => {
    const signedIn = await t.fixtures.login(await t.fixtures.user());
    const email = `nope-${Date.now()}@test.example`;
    const wrong = await signedIn.client.request(RequestContactChangeDocument, { input: { email, currentPassword: "not-my-password" } });
    expect(codes(wrong)).toEqual(["BAD_USER_INPUT"]);
    expect(wrong.errors?.[0]?.extensions?.field).toBe("currentPassword");
    expect(outbox().last(email)).toBeUndefined();
    const both = await signedIn.client.request(RequestContactChangeDocument, {
      input: { email, phoneNumber: uniquePhone(), currentPassword: signedIn.user.password },
    });
    expect(codes(both)).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await t.client().request(RequestContactChangeDocument, { input: { email, currentPassword: "x" } }))).toEqual([
      "UNAUTHENTICATED",
    ]);
    expect(codes(await t.client().request(ConfirmContactChangeDocument, { code: "123456" }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("answers a taken address like a free one, sends the caller no code, and tells the owner", async () => {
    const owner = await t.fixtures.user();
    const signedIn = await t.fixtures.login(await t.fixtures.user());
    const free = `free-${Date.now()}@test.example`;
    const takenAnswer = await signedIn.client.request(RequestContactChangeDocument, {
      input: { email: owner.email, currentPassword: signedIn.user.password },
    });
    const freeAnswer = await signedIn.client.request(RequestContactChangeDocument, {
      input: { email: free, currentPassword: signedIn.user.password },
    });
    expect(takenAnswer.status).toBe(freeAnswer.status);
    expect(takenAnswer.errors).toEqual(freeAnswer.errors);
    expect(Object.keys(takenAnswer.data!.requestContactChange)).toEqual(Object.keys(freeAnswer.data!.requestContactChange));
    expect(takenAnswer.data!.requestContactChange.channel).toBe("EMAIL");

    const toOwner = outbox().last(owner.email)!;
    expect(toOwner.text).toMatch(/already yours/);
    expect(codeIn(toOwner.text)).toBeUndefined();
    // Guessing a code gets the taken address nowhere; the free one's code still works.
    expect(codes(await signedIn.client.request(ConfirmContactChangeDocument, { code: "123456" }))).toEqual(["BAD_USER_INPUT"]);
    const [ownerRow] = await t.deps.database.db.select({ id: users.id }).from(users).where(eq(users.email, owner.email));
    expect(ownerRow!.id).toBe(owner.id);
    const code = codeIn(outbox().last(free)?.text)!;
    expect(data(await signedIn.client.request(ConfirmContactChangeDocument, { code })).confirmContactChange.email).toBe(free);
  });

  it("refuses a wrong code, spends it after five tries, and refuses an address taken meanwhile (CONFLICT)", async () => {
    const signedIn = await t.fixtures.login(await t.fixtures.user());
    const email = `race-${Date.now()}@test.example`;
    data(await signedIn.client.request(RequestContactChangeDocument, { input: { email, currentPassword: signedIn.user.password } }));
    const code = codeIn(outbox().last(email)?.text)!;
    for (let i = 0; i < 5; i++)
      expect(codes(await signedIn.client.request(ConfirmContactChangeDocument, { code: wrongFor(code) }))).toEqual(["BAD_USER_INPUT"]);
    expect(codes(await signedIn.client.request(ConfirmContactChangeDocument, { code }))).toEqual(["BAD_USER_INPUT"]);

    data(await signedIn.client.request(RequestContactChangeDocument, { input: { email, currentPassword: signedIn.user.password } }));
    const fresh = codeIn(outbox().last(email)?.text)!;
    // Someone else registers the address before the code comes back.
    const other = await t.fixtures.user();
    await t.deps.database.db.update(users).set({ email }).where(eq(users.id, other.id));
    expect(codes(await signedIn.client.request(ConfirmContactChangeDocument, { code: fresh }))).toEqual(["CONFLICT"]);
    const [mine] = await t.deps.database.db.select({ email: users.email }).from(users).where(eq(users.id, signedIn.user.id));
    expect(mine!.email).toBe(signedIn.user.email);
  });

  it("no longer changes the email through updateProfile", async () => {
    const signedIn = await t.fixtures.login(await t.fixtures.user());
    const result = await signedIn.client.request(UpdateProfileDocument, { input: { email: `direct-${Date.now()}@test.example` } });
    expect(codes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.message).toMatch(/requestContactChange/);
    expect(codes(await signedIn.client.request(UpdateProfileDocument, { input: { email: null } }))).toEqual(["BAD_USER_INPUT"]);
  });
});
