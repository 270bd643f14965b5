/**
 * Notification preferences (issue 11): a member's channels per kind and quiet hours, the tenant's
 * channel switches, and the dispatch decision (planDeliveries, pure) fed with facts read from the
 * database (dispatchFacts), down to the outbox rows it queues and the message the channel sends.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { messageDeliveries, notifications, users } from "../drizzle/schema";
import { withSystemContext } from "../server/context";
import {
  dispatchFacts,
  planDeliveries,
  quietUntil,
  type DispatchFacts,
  type RecipientFacts,
  type WrittenNotification,
} from "../server/messaging/dispatch";
import { localTime } from "../server/time";
import {
  CancelLectureDocument,
  CreateLectureDocument,
  MyNotificationPreferencesDocument,
  NotificationSettingsDocument,
  NotificationsDocument,
  SetNotificationPreferenceDocument,
  SetQuietHoursDocument,
  UpdateNotificationSettingsDocument,
} from "./sdk/graphql";
import { codes, data } from "./helpers/client";
import { createSchool } from "./helpers/school";
import { useTestServer } from "./helpers/server";

const t = useTestServer();

describe("preferences through the API", () => {
  it("shows role defaults, then the member's own choice, and back", async () => {
    const school = await createSchool(t);
    const { parent } = await school.family(1);
    const before = data(await parent.client.request(MyNotificationPreferencesDocument, {})).myNotificationPreferences;
    const absence = before.kinds.find((kind) => kind.kind === "ABSENCE_ALERT")!;
    expect(absence).toMatchObject({ channels: ["SMS"], isDefault: true, urgent: true });
    expect(before.kinds.find((kind) => kind.kind === "ENROLLMENT_REQUESTED")!.channels).toEqual([]);
    expect(before.quietHours).toBeNull();
    expect(before.enabledChannels).toEqual(["SMS", "WHATSAPP", "EMAIL"]);

    const staffView = data(await school.admin.client.request(MyNotificationPreferencesDocument, {})).myNotificationPreferences;
    expect(staffView.kinds.find((kind) => kind.kind === "ENROLLMENT_REQUESTED")!.channels).toEqual(["EMAIL"]);

    const set = data(
      await parent.client.request(SetNotificationPreferenceDocument, {
        input: { kind: "ABSENCE_ALERT", channels: ["EMAIL", "WHATSAPP", "EMAIL"] },
      }),
    ).setNotificationPreference;
    expect(set.kinds.find((kind) => kind.kind === "ABSENCE_ALERT")).toEqual({
      kind: "ABSENCE_ALERT",
      channels: ["WHATSAPP", "EMAIL"],
      isDefault: false,
    });

    const none = data(
      await parent.client.request(SetNotificationPreferenceDocument, { input: { kind: "FEES_DUE", channels: [] } }),
    ).setNotificationPreference;
    expect(none.kinds.find((kind) => kind.kind === "FEES_DUE")).toEqual({ kind: "FEES_DUE", channels: [], isDefault: false });

    const reset = data(
      await parent.client.request(SetNotificationPreferenceDocument, { input: { kind: "ABSENCE_ALERT", channels: null } }),
    ).setNotificationPreference;
    expect(reset.kinds.find((kind) => kind.kind === "ABSENCE_ALERT")).toEqual({
      kind: "ABSENCE_ALERT",
      channels: ["SMS"],
      isDefault: true,
    });

    // Another member of the tenant is not affected.
    const other = await school.family(1);
    const theirs = data(await other.parent.client.request(MyNotificationPreferencesDocument, {})).myNotificationPreferences;
    expect(theirs.kinds.find((kind) => kind.kind === "FEES_DUE")).toMatchObject({ channels: ["SMS"], isDefault: true });
  });

  it("sets and clears quiet hours; refuses bad times", async () => {
    const school = await createSchool(t);
    const { parent } = await school.family(1);
    const set = data(await parent.client.request(SetQuietHoursDocument, { quietHours: { start: "22:00", end: "07:30" } })).setQuietHours;
    expect(set.quietHours).toEqual({ start: "22:00:00", end: "07:30:00" });
    expect(codes(await parent.client.request(SetQuietHoursDocument, { quietHours: { start: "25:00", end: "07:00" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await parent.client.request(SetQuietHoursDocument, { quietHours: { start: "07:00", end: "07:00" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codes(await parent.client.request(SetQuietHoursDocument, { quietHours: { start: "x", end: "07:00" } }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    const cleared = data(await parent.client.request(SetQuietHoursDocument, { quietHours: null })).setQuietHours;
    expect(cleared.quietHours).toBeNull();
  });

  it("needs a signed-in member", async () => {
    const school = await createSchool(t);
    const anonymous = school.admin.client.as(undefined);
    expect(codes(await anonymous.request(MyNotificationPreferencesDocument, {}))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await anonymous.request(SetQuietHoursDocument, { quietHours: null }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("tenant settings: admins read and change them, others may not, ranges are checked", async () => {
    const school = await createSchool(t);
    const { parent } = await school.family(1);
    const staff = await t.fixtures.member(school.tenant, ["STAFF"]);
    expect(data(await school.admin.client.request(NotificationSettingsDocument, {})).notificationSettings).toEqual({
      enabledChannels: ["SMS", "WHATSAPP", "EMAIL"],
      absenceAlertAfter: 2,
      reminderLeadMinutes: 120,
      feesDueDays: 3,
    });
    const changed = data(
      await school.admin.client.request(UpdateNotificationSettingsDocument, {
        input: { enabledChannels: ["EMAIL"], absenceAlertAfter: 3 },
      }),
    ).updateNotificationSettings;
    expect(changed).toEqual({ enabledChannels: ["EMAIL"], absenceAlertAfter: 3, reminderLeadMinutes: 120, feesDueDays: 3 });
    // Members see which channels the tenant uses.
    expect(data(await parent.client.request(MyNotificationPreferencesDocument, {})).myNotificationPreferences.enabledChannels).toEqual([
      "EMAIL",
    ]);

    expect(codes(await parent.client.request(NotificationSettingsDocument, {}))).toEqual(["FORBIDDEN"]);
    expect(codes(await staff.client.request(UpdateNotificationSettingsDocument, { input: { feesDueDays: 5 } }))).toEqual(["FORBIDDEN"]);
    const bad = await school.admin.client.request(UpdateNotificationSettingsDocument, { input: { reminderLeadMinutes: 5 } });
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.extensions?.field).toBe("reminderLeadMinutes");
    expect(codes(await school.admin.client.request(UpdateNotificationSettingsDocument, { input: { absenceAlertAfter: 0 } }))).toEqual([
      "BAD_USER_INPUT",
    ]);

    // Another tenant keeps its defaults.
    const elsewhere = await createSchool(t);
    expect(data(await elsewhere.admin.client.request(NotificationSettingsDocument, {})).notificationSettings.enabledChannels).toEqual([
      "SMS",
      "WHATSAPP",
      "EMAIL",
    ]);
  });
});

describe("the dispatch decision (pure)", () => {
  const row = (kind: string, userId = "u1"): WrittenNotification => ({
    id: randomUUID(),
    tenantId: "t1",
    userId,
    kind,
    title: "Title",
    body: "Body",
  });
  const parent = (overrides: Partial<RecipientFacts> = {}): RecipientFacts => ({
    roles: ["PARENT"],
    language: "fr",
    phone: "+201001234567",
    email: "p@example.com",
    quietHours: null,
    preferences: new Map(),
    ...overrides,
  });
  const facts = (recipient: RecipientFacts, overrides: Partial<DispatchFacts> = {}): DispatchFacts => ({
    now: new Date("2026-11-23T21:30:00Z"), // 23:30 in Cairo
    timeZone: "Africa/Cairo",
    enabledChannels: ["SMS", "WHATSAPP", "EMAIL"],
    recipients: new Map([["u1", recipient]]),
    ...overrides,
  });

  it("uses role defaults, in the recipient's language, with the notification's text", () => {
    const [delivery, ...rest] = planDeliveries([row("ABSENCE_ALERT")], facts(parent()));
    expect(rest).toEqual([]);
    expect(delivery).toMatchObject({
      channel: "SMS",
      to: "+201001234567",
      language: "fr",
      subject: "Title",
      text: "Body",
      urgent: true,
      notBefore: null,
      kind: "ABSENCE_ALERT",
    });
  });

  it("follows the member's choice, within the tenant's channels and verified addresses", () => {
    const chosen = parent({ preferences: new Map([["EXAM_RESULTS", ["SMS", "WHATSAPP", "EMAIL"] as const]]) });
    expect(planDeliveries([row("EXAM_RESULTS")], facts(chosen)).map((d) => d.channel)).toEqual(["SMS", "WHATSAPP", "EMAIL"]);
    expect(planDeliveries([row("EXAM_RESULTS")], facts(chosen, { enabledChannels: ["EMAIL"] })).map((d) => d.channel)).toEqual(["EMAIL"]);
    expect(planDeliveries([row("EXAM_RESULTS")], facts({ ...chosen, phone: null })).map((d) => d.channel)).toEqual(["EMAIL"]);
    expect(planDeliveries([row("EXAM_RESULTS")], facts(parent({ preferences: new Map([["EXAM_RESULTS", []]]) })))).toEqual([]);
    // Someone not among the facts (no account row) gets nothing.
    expect(planDeliveries([row("ABSENCE_ALERT", "u2")], facts(parent()))).toEqual([]);
  });

  it("defers non-urgent kinds to the end of quiet hours; urgent ones go now", () => {
    const quiet = parent({ quietHours: { start: "22:00:00", end: "07:00:00" }, preferences: new Map([["FEES_DUE", ["SMS"] as const]]) });
    const [fees] = planDeliveries([row("FEES_DUE")], facts(quiet));
    // 07:00 Cairo (UTC+2 in November) the next morning.
    expect(fees!.notBefore?.toISOString()).toBe("2026-11-24T05:00:00.000Z");
    expect(fees!.urgent).toBe(false);
    const [alert] = planDeliveries([row("ABSENCE_ALERT")], facts(quiet));
    expect(alert!.notBefore).toBeNull();
    // Outside the window nothing waits.
    const [later] = planDeliveries([row("FEES_DUE")], facts(quiet, { now: new Date("2026-11-24T08:00:00Z") }));
    expect(later!.notBefore).toBeNull();
  });

  it("reads quiet hours within a day and across midnight", () => {
    const zone = "Africa/Cairo";
    expect(quietUntil(new Date("2026-11-23T01:00:00Z"), zone, { start: "22:00", end: "07:00" })?.toISOString()).toBe(
      "2026-11-23T05:00:00.000Z",
    );
    expect(quietUntil(new Date("2026-11-23T11:00:00Z"), zone, { start: "12:00", end: "14:00" })?.toISOString()).toBe(
      "2026-11-23T12:00:00.000Z",
    );
    expect(quietUntil(new Date("2026-11-23T12:00:00Z"), zone, { start: "12:00", end: "14:00" })).toBeNull();
    expect(quietUntil(new Date("2026-11-23T12:00:00Z"), zone, null)).toBeNull();
  });
});

describe("dispatch with facts from the database", () => {
  it("a cancelled lecture writes in-app rows; the deliveries follow preferences, tenant switches and quiet hours", async () => {
    const school = await createSchool(t);
    const courseId = await school.createCourse();
    const family = await school.family(1);
    await school.enroll(courseId, family.childIds[0]!, family.parent);
    const other = await school.family(1);
    await school.enroll(courseId, other.childIds[0]!, other.parent);

    // The first parent wants WhatsApp and email; the second keeps defaults (SMS) but has no verified phone.
    await family.parent.client.request(SetNotificationPreferenceDocument, {
      input: { kind: "LECTURE_CANCELLED", channels: ["WHATSAPP", "EMAIL"] },
    });
    await family.parent.client.request(SetNotificationPreferenceDocument, { input: { kind: "EXAM_RESULTS", channels: ["EMAIL"] } });
    await t.deps.database.db.update(users).set({ phoneVerifiedAt: null }).where(eq(users.id, other.parent.user.id));
    await school.admin.client.request(UpdateNotificationSettingsDocument, { input: { enabledChannels: ["SMS", "EMAIL"] } });
    // Quiet hours around now, in the tenant's zone (Africa/Cairo by default).
    const now = new Date();
    const hhmm = (offsetMinutes: number) => localTime(new Date(now.getTime() + offsetMinutes * 60_000), "Africa/Cairo").slice(0, 5);
    await family.parent.client.request(SetQuietHoursDocument, { quietHours: { start: hhmm(-60), end: hhmm(60) } });

    const lectureId = data(
      await school.admin.client.request(CreateLectureDocument, { courseId, input: { date: "2099-01-05", startTime: "10:00" } }),
    ).createLecture.id;
    data(await school.admin.client.request(CancelLectureDocument, { id: lectureId }));

    const inbox = data(await family.parent.client.request(NotificationsDocument, {})).notifications.nodes;
    expect(inbox.filter((n) => n.kind === "LECTURE_CANCELLED")).toHaveLength(1);
    expect(
      data(await other.parent.client.request(NotificationsDocument, {})).notifications.nodes.filter((n) => n.kind === "LECTURE_CANCELLED"),
    ).toHaveLength(1);

    const rows = await t.deps.database.db.select().from(notifications).where(eq(notifications.tenantId, school.tenant.id));
    const cancelled = rows.filter((row) => row.kind === "LECTURE_CANCELLED");

    // The outbox holds exactly what the decision says: one email to the first parent (LECTURE_CANCELLED is
    // urgent, so quiet hours do not hold it back), and the (console) channel sends it.
    const queued = await t.deps.database.db
      .select()
      .from(messageDeliveries)
      .where(and(eq(messageDeliveries.tenantId, school.tenant.id), eq(messageDeliveries.kind, "LECTURE_CANCELLED")));
    expect(queued.map((d) => [d.userId, d.channel, d.destination])).toEqual([[family.parent.user.id, "EMAIL", family.parent.user.email]]);
    const notice = cancelled.find((row) => row.userId === family.parent.user.id)!;
    expect(queued[0]!.notificationId).toBe(notice.id);
    await vi.waitFor(() => expect(t.deps.messages.last(family.parent.user.email!)?.text).toContain(notice.body), { timeout: 10_000 });
    const deliveries = await withSystemContext(t.deps, school.tenant, "test", async (ctx) => {
      const facts = await dispatchFacts(
        ctx,
        school.tenant.id,
        cancelled.map((row) => row.userId),
        ["LECTURE_CANCELLED", "EXAM_RESULTS"],
        now,
      );
      const examRow = { ...cancelled.find((row) => row.userId === family.parent.user.id)!, kind: "EXAM_RESULTS" };
      return { cancelled: planDeliveries(cancelled, facts), exam: planDeliveries([examRow], facts) };
    });
    // WhatsApp is switched off by the tenant; the second parent's phone is not verified.
    expect(deliveries.cancelled.map((d) => [d.userId, d.channel, d.to, d.notBefore])).toEqual([
      [family.parent.user.id, "EMAIL", family.parent.user.email, null],
    ]);
    // A non-urgent kind in the quiet hours waits until they end.
    const [exam] = deliveries.exam;
    expect(exam!.channel).toBe("EMAIL");
    expect(exam!.notBefore).not.toBeNull();
    expect(localTime(exam!.notBefore!, "Africa/Cairo").slice(0, 5)).toBe(hhmm(60));
    expect(exam!.notBefore!.getTime()).toBeGreaterThan(now.getTime());
  });
});
