/** Talking to a running Roster: sign-in, what its schema offers. */
import { dataOf, gql } from "./http";
import type { LecturesForm } from "./queries";
import { rosterQueries } from "./queries";
import { PASSWORD, TENANTS } from "./seed";

export async function login(baseUrl: string, email: string, tenantSlug: string = TENANTS[0].slug): Promise<string> {
  const result = await gql(
    `${baseUrl}/graphql`,
    rosterQueries("list").login,
    { input: { identifier: email, password: PASSWORD, deviceName: "bench" } },
    { "x-tenant": tenantSlug },
  );
  return dataOf(result, `login of ${email}`).login.accessToken;
}

/** Signs many accounts in, a few at a time. */
export async function loginMany(baseUrl: string, emails: string[], concurrency = 8): Promise<string[]> {
  const tokens: string[] = new Array(emails.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < emails.length) {
        const index = next++;
        tokens[index] = await login(baseUrl, emails[index]!);
      }
    }),
  );
  return tokens;
}

/** Which form Roster's Course.lectures has, and whether Lecture.attendanceSummary exists. */
export async function schemaShape(baseUrl: string): Promise<{ lecturesForm: LecturesForm; hasAttendanceSummary: boolean }> {
  const query = `{
    course: __type(name: "Course") { fields { name type { kind name ofType { kind name } } } }
    lecture: __type(name: "Lecture") { fields { name } }
  }`;
  const data = dataOf(await gql(`${baseUrl}/graphql`, query), "introspection");
  const lectures = data.course.fields.find((field: any) => field.name === "lectures");
  const unwrapped = lectures?.type.kind === "NON_NULL" ? lectures.type.ofType : lectures?.type;
  const detected: LecturesForm = unwrapped?.kind === "OBJECT" ? "connection" : "list";
  const forced = process.env.BENCH_LECTURES as LecturesForm | undefined;
  return {
    lecturesForm: forced === "list" || forced === "connection" ? forced : detected,
    hasAttendanceSummary: data.lecture.fields.some((field: any) => field.name === "attendanceSummary"),
  };
}
