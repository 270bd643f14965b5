/**
 * Idempotent demo data: a course centre modelled on Redwan Courses Center, with
 * an admin, an instructor, a parent with two children, a student, and a platform
 * admin. Running it again changes nothing. Runs as the owner (no row-level security).
 */
import { and, eq } from "drizzle-orm";
import type { PasswordHasher } from "../server/auth/passwords";
import type { Database } from "../server/db/client";
import { grantMembership } from "../server/services/members";
import { children, parents, tenants, users } from "./schema";
import type { MembershipRole } from "./tables/enums-types";

export const DEMO_PASSWORD = "roster-demo";
export const DEMO_TENANT = { slug: "redwan", name: "Redwan Courses Center", timeZone: "Africa/Cairo", currency: "EGP" } as const;

export const DEMO_USERS = [
  { key: "platform", phone: "+201000000000", email: "platform@roster.example", firstName: "Platform", lastName: "Admin", roles: [] },
  { key: "admin", phone: "+201000000001", email: "admin@redwan.example", firstName: "Amira", lastName: "Hassan", roles: ["ADMIN"] },
  { key: "instructor", phone: "+201000000002", email: "instructor@redwan.example", firstName: "Karim", lastName: "Mostafa", roles: ["INSTRUCTOR"] },
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

      return { tenantId, users: ids };
    }),
  );
}
