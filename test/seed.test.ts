import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_TENANT, DEMO_USERS, seedDemo } from "../server/seed/demo";
import { CoursesDocument, EnrollmentRequestsDocument, EnrollmentsDocument, LoginDocument, MyChildrenDocument } from "./sdk/graphql";
import { data } from "./helpers/client";
import { useTestServer } from "./helpers/server";

const t = useTestServer();

const counts = async () => {
  // Counted inside the demo tenant only: other test files write to the same database in CI.
  const [row] = await t.deps.database.db
    .execute(sql`
    with demo as (select id from tenants where slug = ${DEMO_TENANT.slug})
    select (select count(*) from memberships where tenant_id = (select id from demo))::int as members,
           (select count(*) from courses where tenant_id = (select id from demo))::int as courses,
           (select count(*) from lectures where tenant_id = (select id from demo))::int as lectures,
           (select count(*) from enrollments where tenant_id = (select id from demo))::int as enrollments,
           (select count(*) from children where tenant_id = (select id from demo))::int as children,
           (select count(*) from events where tenant_id = (select id from demo))::int as events`)
    .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows));
  return row;
};

describe("demo seed", () => {
  it("is idempotent and gives a working course centre", async () => {
    await seedDemo(t.deps.database, t.deps.passwords);
    const first = await counts();
    await seedDemo(t.deps.database, t.deps.passwords);
    expect(await counts()).toEqual(first);
    expect(first).toMatchObject({ courses: 3, enrollments: 4, children: 2, events: 1 });

    const login = async (key: string) => {
      const user = DEMO_USERS.find((u) => u.key === key)!;
      const result = data(
        await t.client({ tenant: DEMO_TENANT.slug }).request(LoginDocument, { input: { identifier: user.phone, password: DEMO_PASSWORD } }),
      );
      return t.client({ token: result.login.accessToken });
    };
    const parent = await login("parent");
    expect(
      data(await parent.request(MyChildrenDocument))
        .myChildren.map((c) => c.firstName)
        .sort(),
    ).toEqual(["Laila", "Omar"]);
    expect(data(await parent.request(EnrollmentsDocument, {})).enrollments.totalCount).toBe(3);
    const admin = await login("admin");
    expect(data(await admin.request(EnrollmentRequestsDocument, { filter: { status: "PENDING" } })).enrollmentRequests.totalCount).toBe(1);
    const catalogue = data(await t.client({ tenant: DEMO_TENANT.slug }).request(CoursesDocument, {})).courses;
    expect(catalogue.totalCount).toBe(3);
  });
});
