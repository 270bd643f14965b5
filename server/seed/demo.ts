/**
 * Idempotent demo data: a course centre modelled on Redwan Courses Center, with
 * an admin, an instructor, a parent with two children, a student, and a platform
 * admin. Running it again changes nothing. Runs as the owner (no row-level security).
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { planLectures } from "../services/lectures";
import { addDays, localDate } from "../time";
import type { PasswordHasher } from "../auth/passwords";
import type { Database } from "../db/client";
import { grantMembership } from "../services/members";
import {
  children,
  courseSchedules,
  courseTags,
  courses,
  enrollmentRequests,
  enrollments,
  events,
  instructors,
  lectures,
  parents,
  seasons,
  students,
  tags,
  tenants,
  users,
  authSessions,
} from "../../drizzle/schema";
import type { MembershipRole } from "../../drizzle/tables/enums-types";
import { EXIT, StartupError } from "../startup-error";

export const DEMO_PASSWORD = "roster-demo";
export const DEMO_TENANT = { slug: "redwan", name: "Redwan Courses Center", timeZone: "Africa/Cairo", currency: "EGP" } as const;

export const DEMO_USERS = [
  { key: "platform", phone: "+201000000000", email: "platform@roster.example", firstName: "Platform", lastName: "Admin", roles: [] },
  { key: "admin", phone: "+201000000001", email: "admin@redwan.example", firstName: "Amira", lastName: "Hassan", roles: ["ADMIN"] },
  {
    key: "instructor",
    phone: "+201000000002",
    email: "instructor@redwan.example",
    firstName: "Karim",
    lastName: "Mostafa",
    roles: ["INSTRUCTOR"],
  },
  { key: "parent", phone: "+201000000003", email: "parent@redwan.example", firstName: "Mona", lastName: "Ali", roles: ["PARENT"] },
  { key: "student", phone: "+201000000004", email: "student@redwan.example", firstName: "Youssef", lastName: "Adel", roles: ["STUDENT"] },
] as const satisfies readonly {
  key: string;
  phone: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: readonly MembershipRole[];
}[];

export const DEMO_CHILDREN = [
  { firstName: "Omar", lastName: "Ali", dateOfBirth: "2015-04-12", gender: "MALE" },
  { firstName: "Laila", lastName: "Ali", dateOfBirth: "2017-09-03", gender: "FEMALE" },
] as const;

export interface DemoIds {
  tenantId: string;
  users: Record<(typeof DEMO_USERS)[number]["key"], string>;
}

export async function seedDemo(database: Database, passwords: PasswordHasher): Promise<DemoIds> {
  return database.withAdvisoryLock(0x5eed, () =>
    database.db.transaction(async (db) => {
      await db.insert(tenants).values(DEMO_TENANT).onConflictDoNothing({ target: tenants.slug });
      const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, DEMO_TENANT.slug));
      const tenantId = tenant!.id;

      const ids = {} as DemoIds["users"];
      let hash: string | undefined;
      for (const person of DEMO_USERS) {
        const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.phoneNumber1, person.phone));
        let userId = existing?.id;
        if (!userId) {
          hash ??= await passwords.hash(DEMO_PASSWORD);
          const [created] = await db
            .insert(users)
            .values({
              phoneNumber1: person.phone,
              email: person.email,
              passwordHash: hash,
              firstName: person.firstName,
              lastName: person.lastName,
              preferredLanguage: "en",
              isVerified: true,
              phoneVerifiedAt: new Date(),
              emailVerifiedAt: new Date(),
              isPlatformAdmin: person.key === "platform",
            })
            .returning({ id: users.id });
          userId = created!.id;
        }
        ids[person.key] = userId;
        if (person.roles.length) await grantMembership(db, tenantId, userId, person.roles);
      }

      const [parent] = await db
        .select({ id: parents.id })
        .from(parents)
        .where(and(eq(parents.tenantId, tenantId), eq(parents.userId, ids.parent)));
      for (const child of DEMO_CHILDREN) {
        const [found] = await db
          .select({ id: children.id })
          .from(children)
          .where(and(eq(children.tenantId, tenantId), eq(children.parentId, parent!.id), eq(children.firstName, child.firstName)));
        if (!found) await db.insert(children).values({ tenantId, parentId: parent!.id, ...child });
      }

      await seedCatalogue(db, tenantId, ids);
      return { tenantId, users: ids };
    }),
  );
}

/** Demo courses: a season, tags, three courses with weekly schedules and lectures, enrolments, an event. */
async function seedCatalogue(db: Db, tenantId: string, ids: DemoIds["users"]) {
  const [existing] = await db
    .select({ id: seasons.id })
    .from(seasons)
    .where(and(eq(seasons.tenantId, tenantId), eq(seasons.name, "Winter term")));
  if (existing) return; // seeded before: the demo keeps the dates it was created with
  const today = localDate(new Date(), DEMO_TENANT.timeZone);
  const startsOn = addDays(today, -14);
  const endsOn = addDays(today, 75);
  const [season] = await db
    .insert(seasons)
    .values({ tenantId, name: "Winter term", kind: "SCHOOL", startsOn, endsOn, isActive: true })
    .returning();
  const tagRows = await db
    .insert(tags)
    .values(["Quran", "Arabic", "STEM"].map((name) => ({ tenantId, name })))
    .returning();
  const tagId = (name: string) => tagRows.find((tag) => tag.name === name)!.id;
  const [instructor] = await db
    .select()
    .from(instructors)
    .where(and(eq(instructors.tenantId, tenantId), eq(instructors.userId, ids.instructor)));
  const plans = [
    {
      name: "Quran memorisation",
      description: "Juz' Amma with tajweed, small groups.",
      price: "300.00",
      capacity: 15,
      tags: ["Quran", "Arabic"],
      slots: [
        { weekday: 0, startTime: "16:00:00" },
        { weekday: 2, startTime: "16:00:00" },
      ],
    },
    {
      name: "Robotics for kids",
      description: "Build and program small robots, ages 8–12.",
      price: "450.00",
      capacity: 10,
      tags: ["STEM"],
      slots: [{ weekday: 3, startTime: "17:00:00" }],
    },
    {
      name: "Arabic calligraphy",
      description: "Naskh and Ruq'ah for beginners.",
      price: "250.00",
      capacity: 12,
      tags: ["Arabic"],
      slots: [{ weekday: 5, startTime: "11:00:00" }],
    },
  ];
  const created = [];
  for (const plan of plans) {
    const [course] = await db
      .insert(courses)
      .values({
        tenantId,
        seasonId: season!.id,
        instructorId: instructor!.id,
        name: plan.name,
        description: plan.description,
        startsOn,
        endsOn,
        price: plan.price,
        currency: DEMO_TENANT.currency,
        capacity: plan.capacity,
        isPublished: true,
      })
      .returning();
    await db.insert(courseTags).values(plan.tags.map((name) => ({ tenantId, courseId: course!.id, tagId: tagId(name) })));
    const slots = plan.slots.map((slot) => ({ ...slot, durationMinutes: 60 }));
    await db.insert(courseSchedules).values(slots.map((slot) => ({ tenantId, courseId: course!.id, ...slot })));
    await db.insert(lectures).values(planLectures(course!, slots)).onConflictDoNothing();
    created.push(course!);
  }
  const [quran, robotics, calligraphy] = created as [(typeof created)[0], (typeof created)[0], (typeof created)[0]];
  const [parent] = await db
    .select()
    .from(parents)
    .where(and(eq(parents.tenantId, tenantId), eq(parents.userId, ids.parent)));
  const kids = await db
    .select()
    .from(children)
    .where(and(eq(children.tenantId, tenantId), eq(children.parentId, parent!.id)));
  const omar = kids.find((kid) => kid.firstName === "Omar")!;
  const laila = kids.find((kid) => kid.firstName === "Laila")!;
  const [student] = await db
    .select()
    .from(students)
    .where(and(eq(students.tenantId, tenantId), eq(students.userId, ids.student)));
  const enrol = async (courseId: string, participant: { studentId?: string; childId?: string }) => {
    const [request] = await db
      .insert(enrollmentRequests)
      .values({
        tenantId,
        courseId,
        ...participant,
        requestedBy: ids.parent,
        status: "APPROVED",
        decidedBy: ids.admin,
        decidedAt: new Date(),
      })
      .returning();
    await db.insert(enrollments).values({ tenantId, courseId, ...participant, requestId: request!.id });
  };
  await enrol(quran.id, { childId: omar.id });
  await enrol(robotics.id, { childId: omar.id });
  await enrol(robotics.id, { childId: laila.id });
  await enrol(calligraphy.id, { studentId: student!.id });
  // One request waiting for staff, to try approveEnrollmentRequest.
  await db
    .insert(enrollmentRequests)
    .values({ tenantId, courseId: calligraphy.id, childId: laila.id, requestedBy: ids.parent, note: "Saturday group please" });
  await db.insert(events).values({
    tenantId,
    title: "Open day",
    description: "Meet the instructors and try a class.",
    startsAt: new Date(`${addDays(today, 10)}T08:00:00Z`),
    endsAt: new Date(`${addDays(today, 10)}T12:00:00Z`),
    location: "Main hall",
    maxParticipants: 40,
    waitlistEnabled: true,
    status: "PUBLISHED",
    createdBy: ids.admin,
  });
}

/**
 * The demo accounts that still sign in with the public DEMO_PASSWORD (active, password
 * unchanged). NODE_ENV=production refuses to start while there is one (server/main.ts).
 */
export async function activeDemoLogins(database: Database, passwords: PasswordHasher) {
  const rows = await database.db
    .select({
      id: users.id,
      phone: users.phoneNumber1,
      email: users.email,
      hash: users.passwordHash,
      isPlatformAdmin: users.isPlatformAdmin,
    })
    .from(users)
    .where(
      and(
        inArray(
          users.phoneNumber1,
          DEMO_USERS.map((user) => user.phone),
        ),
        eq(users.isActive, true),
      ),
    );
  const active = [];
  for (const row of rows) {
    if (await passwords.verify(row.hash, DEMO_PASSWORD))
      active.push({ id: row.id, phone: row.phone, email: row.email, isPlatformAdmin: row.isPlatformAdmin });
  }
  return active;
}

/**
 * Deactivates the demo accounts that still have the public password and signs them
 * out (`npm run admin:create -- --disable-demo-logins`). The demo data stays; an
 * account whose password was changed is left alone.
 */
export async function disableDemoLogins(database: Database, passwords: PasswordHasher) {
  const active = await activeDemoLogins(database, passwords);
  if (active.length === 0) return active;
  const ids = active.map((user) => user.id);
  await database.db.transaction(async (db) => {
    await db.update(users).set({ isActive: false, isPlatformAdmin: false }).where(inArray(users.id, ids));
    await db
      .update(authSessions)
      .set({ revokedAt: new Date(), revokedReason: "demo-login-disabled" })
      .where(and(inArray(authSessions.userId, ids), isNull(authSessions.revokedAt)));
  });
  return active;
}

/**
 * NODE_ENV=production: refuses to start (exit 78, EX_CONFIG) while a demo account
 * signs in with the public password, unless ALLOW_DEMO_LOGINS=true (then it warns).
 */
export async function refuseDemoLogins(
  database: Database,
  passwords: PasswordHasher,
  options: { allow: boolean; warn: (message: string) => void },
): Promise<void> {
  const active = await activeDemoLogins(database, passwords);
  if (active.length === 0) return;
  const who = active.map((user) => user.email ?? user.phone).join(", ");
  if (options.allow) {
    options.warn(`ALLOW_DEMO_LOGINS=true: the demo accounts sign in with the public password "${DEMO_PASSWORD}" (${who})`);
    return;
  }
  throw new StartupError(
    `NODE_ENV=production refuses to start: the demo accounts still sign in with the public password "${DEMO_PASSWORD}" (${who}). ` +
      `Create your own platform admin with \`npm run admin:create -- --email <you@example.com> --phone <+20…>\`, ` +
      `then switch the demo accounts off with \`npm run admin:create -- --disable-demo-logins\` ` +
      `(or set ALLOW_DEMO_LOGINS=true for a demo deployment). See docs/operations.md#the-first-platform-admin.`,
    EXIT.config,
  );
}
