/**
 * Deleting one's own account, with a grace period (docs/lifecycle.md#accounts).
 *
 * `deleteMyAccount` (current password) schedules erasure at now + ACCOUNT_DELETION_GRACE;
 * `cancelAccountDeletion` undoes it while in grace. The `erase-accounts` job
 * (server/jobs/erase-accounts.ts) calls `eraseDueAccounts`, which erases each due
 * account in its own savepoint: the users row stays as a tombstone ("Deleted user",
 * no login, no personal fields) so payments, attendance, enrolments, results and
 * audit rows keep pointing at it; what only served the person (sessions, codes,
 * preferences, feeds, unsent messages) is deleted.
 */
import { and, eq, inArray, isNotNull, isNull, lte, notInArray, sql } from "drizzle-orm";
import {
  auditLog,
  authSessions,
  calendarFeeds,
  children,
  devices,
  guardianships,
  idempotencyKeys,
  instructors,
  memberships,
  messageDeliveries,
  notificationPreferences,
  notificationQuietHours,
  notifications,
  parents,
  students,
  tenants,
  users,
  verificationCodes,
} from "../../drizzle/schema";
import { requireUser } from "../auth/guards";
import { atomic, type Context } from "../context";
import type { Db } from "../db/client";
import { asSystem } from "../db/scope";
import { AppError, notFound } from "../errors";
import { translate } from "../i18n";
import { queueDeliveries } from "../messaging/outbox";
import { consume } from "../rate-limits";
import { accessChanged } from "../realtime/access";
import { audit } from "./audit";

/** The name an erased account shows wherever it is still referenced. */
export const ERASED_NAME = "Deleted user";

/** Personal keys removed from audit before/after snapshots of an erased user's own row. */
const PERSONAL_KEYS = ["firstName", "lastName", "phoneNumber1", "phoneNumber2", "email", "dateOfBirth", "identityNumber", "gender"];

/** Audits `action` on the user in every tenant they belong to (account changes have no tenant of their own). */
async function auditEverywhere(ctx: Context, system: Db, userId: string, action: string, after: unknown) {
  const rows = await system.select({ tenantId: memberships.tenantId }).from(memberships).where(eq(memberships.userId, userId));
  for (const { tenantId } of rows) await audit({ ...ctx, db: system }, { action, entity: "user", entityId: userId, after, tenantId });
}

/** A notice to the account's own login address, through the outbox. */
async function tell(
  ctx: Context,
  user: typeof users.$inferSelect,
  key: "account.deletionScheduled" | "account.deletionCancelled",
  date?: Date,
) {
  const to = user.phoneNumber1 ?? user.email;
  if (!to) return;
  const language = user.preferredLanguage;
  await queueDeliveries(ctx, [
    {
      tenantId: null,
      userId: user.id,
      channel: user.phoneNumber1 ? "SMS" : "EMAIL",
      to,
      kind: key,
      language,
      subject: translate(language, "message.accountNoticeSubject"),
      text: translate(language, key, { date: date ? date.toISOString().slice(0, 10) : "" }),
    },
  ]);
}

/**
 * Schedules the erasure of the caller's account. The current password is checked
 * (rate limited like a password change). Refused with CONFLICT (LAST_ADMIN) while
 * the caller is the last active admin of a tenant. Asking again keeps the first date.
 */
export async function deleteMyAccount(ctx: Context, password: string) {
  const viewer = requireUser(ctx);
  await consume(ctx.app.rateLimits.login, `password:${viewer.userId}`);
  const [me] = await ctx.db.select().from(users).where(eq(users.id, viewer.userId));
  if (!me || !(await ctx.app.passwords.verify(me.passwordHash, password))) {
    throw new AppError("BAD_USER_INPUT", "auth.wrongPassword", {}, { field: "password" });
  }
  if (me.deletionScheduledAt) return me;
  const due = new Date(Date.now() + ctx.app.config.auth.accountDeletionGraceMs);
  return atomic(ctx, (ctx) =>
    // Memberships and admins of other tenants are not visible to the caller's row-level security.
    asSystem(ctx.db, async (system) => {
      // Every active admin row of the caller's tenants, locked (as keepAnAdmin does), so two last admins leaving together run one after the other.
      const mine = system
        .select({ tenantId: memberships.tenantId })
        .from(memberships)
        .where(
          and(
            eq(memberships.userId, viewer.userId),
            eq(memberships.isActive, true),
            sql`'ADMIN'::membership_role = ANY(${memberships.roles})`,
          ),
        );
      const admins = await system
        .select({ tenantId: memberships.tenantId, userId: memberships.userId, slug: tenants.slug, leaving: users.deletionScheduledAt })
        .from(memberships)
        .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            inArray(memberships.tenantId, mine),
            eq(memberships.isActive, true),
            sql`'ADMIN'::membership_role = ANY(${memberships.roles})`,
          ),
        )
        .orderBy(memberships.tenantId, memberships.id)
        .for("update", { of: memberships });
      const tenantIds = [...new Set(admins.filter((a) => a.userId === viewer.userId).map((a) => a.tenantId))];
      for (const tenantId of tenantIds) {
        const others = admins.filter((a) => a.tenantId === tenantId && a.userId !== viewer.userId && !a.leaving);
        if (others.length === 0) {
          const slug = admins.find((a) => a.tenantId === tenantId)!.slug;
          throw new AppError("CONFLICT", "account.lastAdmin", { slug }, { reason: "LAST_ADMIN" });
        }
      }
      const [after] = await system
        .update(users)
        .set({ deletionScheduledAt: due })
        .where(and(eq(users.id, viewer.userId), isNull(users.deletionScheduledAt)))
        .returning();
      if (!after) return (await system.select().from(users).where(eq(users.id, viewer.userId)))[0]!;
      await auditEverywhere(ctx, system, viewer.userId, "account.deletionScheduled", { deletionScheduledAt: due });
      await tell(ctx, after, "account.deletionScheduled", due);
      ctx.loaders.user.clear(viewer.userId).prime(viewer.userId, after);
      return after;
    }),
  );
}

/** Cancels the caller's scheduled deletion; CONFLICT (NOT_SCHEDULED) when none is scheduled. */
export async function cancelAccountDeletion(ctx: Context) {
  const viewer = requireUser(ctx);
  return atomic(ctx, (ctx) =>
    asSystem(ctx.db, async (system) => {
      const [after] = await system
        .update(users)
        .set({ deletionScheduledAt: null })
        .where(and(eq(users.id, viewer.userId), isNotNull(users.deletionScheduledAt), isNull(users.erasedAt)))
        .returning();
      if (!after) throw new AppError("CONFLICT", "account.notScheduled", {}, { reason: "NOT_SCHEDULED" });
      await auditEverywhere(ctx, system, viewer.userId, "account.deletionCancelled", { deletionScheduledAt: null });
      await tell(ctx, after, "account.deletionCancelled");
      ctx.loaders.user.clear(viewer.userId).prime(viewer.userId, after);
      return after;
    }),
  );
}

/** At most this many accounts per run; the next run takes the rest. */
const ERASE_BATCH = 100;

/**
 * Erases every account whose grace ended at or before `now` (up to ERASE_BATCH),
 * each in its own savepoint. Accounts already erased, or locked by a concurrent
 * run, are skipped: running it again changes nothing.
 */
export async function eraseDueAccounts(ctx: Context, now: Date) {
  // Users are platform rows: the job reads and erases across tenants as the system.
  return asSystem(ctx.db, async (system) => {
    const due = await system
      .select({ id: users.id })
      .from(users)
      .where(and(isNull(users.erasedAt), lte(users.deletionScheduledAt, now)))
      .orderBy(users.deletionScheduledAt, users.id)
      .limit(ERASE_BATCH)
      .for("update", { skipLocked: true });
    let erased = 0;
    for (const { id } of due) if (await eraseAccount(ctx, system, id, now)) erased++;
    return { erased };
  });
}

/** Erases one account in a savepoint (all or nothing); false when it is not (or no longer) due. */
export async function eraseAccount(ctx: Context, system: Db, userId: string, now: Date): Promise<boolean> {
  return system.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
    if (!user) throw notFound("User", userId);
    if (user.erasedAt || !user.deletionScheduledAt || user.deletionScheduledAt > now) return false;

    await tx
      .update(users)
      .set({
        firstName: ERASED_NAME,
        lastName: "",
        phoneNumber1: null,
        phoneNumber2: null,
        email: null,
        // Not a valid hash: nothing ever verifies against it (and there is no login to try).
        passwordHash: "",
        dateOfBirth: null,
        gender: "UNSPECIFIED",
        identityNumber: null,
        isVerified: false,
        phoneVerifiedAt: null,
        emailVerifiedAt: null,
        isPlatformAdmin: false,
        isActive: false,
        erasedAt: now,
      })
      .where(eq(users.id, userId));

    // Only ever served the person: deleted (refresh tokens go with their sessions).
    await tx.delete(authSessions).where(eq(authSessions.userId, userId));
    await tx.delete(verificationCodes).where(eq(verificationCodes.userId, userId));
    await tx.delete(notificationPreferences).where(eq(notificationPreferences.userId, userId));
    await tx.delete(notificationQuietHours).where(eq(notificationQuietHours.userId, userId));
    await tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId));
    await tx.delete(notifications).where(eq(notifications.userId, userId));
    await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId));
    await tx
      .delete(messageDeliveries)
      .where(and(eq(messageDeliveries.userId, userId), notInArray(messageDeliveries.status, ["SENT", "DELIVERED"])));
    // Check-in devices belong to the centre (attendance points at them): revoked, not deleted.
    await tx
      .update(devices)
      .set({ revokedAt: now })
      .where(and(eq(devices.createdBy, userId), isNull(devices.revokedAt)));

    await tx.update(memberships).set({ isActive: false, updatedAt: now }).where(eq(memberships.userId, userId));
    await tx.update(students).set({ school: null, grade: null, updatedAt: now }).where(eq(students.userId, userId));
    await tx.update(instructors).set({ bio: null, specialty: null, updatedAt: now }).where(eq(instructors.userId, userId));

    // Children with no other guardian than this person: anonymised (their records stay).
    const profiles = tx.select({ id: parents.id }).from(parents).where(eq(parents.userId, userId));
    const mine = await tx
      .select({ tenantId: guardianships.tenantId, childId: guardianships.childId })
      .from(guardianships)
      .where(inArray(guardianships.parentId, profiles));
    const alsoGuarded = mine.length
      ? await tx
          .select({ childId: guardianships.childId })
          .from(guardianships)
          .where(
            and(
              inArray(
                guardianships.childId,
                mine.map((g) => g.childId),
              ),
              sql`${guardianships.parentId} NOT IN (${profiles})`,
            ),
          )
      : [];
    const shared = new Set(alsoGuarded.map((g) => g.childId));
    const alone = mine.filter((g) => !shared.has(g.childId)).map((g) => g.childId);
    if (alone.length) {
      await tx
        .update(children)
        .set({ firstName: "Deleted child", lastName: "", dateOfBirth: null, gender: "UNSPECIFIED", notes: null, updatedAt: now })
        .where(inArray(children.id, alone));
    }

    // The person's own profile snapshots in the audit log lose their personal keys.
    await tx
      .update(auditLog)
      .set({
        before: sql`case when ${auditLog.before} is null then null else ${auditLog.before} - ${sql.raw(`array['${PERSONAL_KEYS.join("','")}']`)} end`,
        after: sql`case when ${auditLog.after} is null then null else ${auditLog.after} - ${sql.raw(`array['${PERSONAL_KEYS.join("','")}']`)} end`,
      })
      .where(and(eq(auditLog.entity, "user"), eq(auditLog.entityId, userId)));

    accessChanged(ctx, { userId });
    ctx.app.log.info({ userId }, "account erased");
    return true;
  });
}
