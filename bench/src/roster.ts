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

/**
 * Which form Roster's Course.lectures has, and whether Lecture.attendanceSummary
 * exists — probed with small queries (introspection is off in production).
 */
export async function schemaShape(baseUrl: string, token: string): Promise<{ lecturesForm: LecturesForm; hasAttendanceSummary: boolean }> {
  const auth = { authorization: `Bearer ${token}` };
  const valid = async (query: string) => {
    const result = await gql(`${baseUrl}/graphql`, query, {}, auth);
    return !result.errors?.some((error) => error.extensions?.code === "GRAPHQL_VALIDATION_FAILED");
  };
  const connection = await valid("{ courses(first: 1) { nodes { lectures(first: 1) { nodes { id } } } } }");
  const detected: LecturesForm = connection ? "connection" : "list";
  const forced = process.env.BENCH_LECTURES as LecturesForm | undefined;
  const form = forced === "list" || forced === "connection" ? forced : detected;
  const lectures = form === "connection" ? "lectures(first: 1) { nodes { attendanceSummary { present } } }" : "lectures { attendanceSummary { present } }";
  return { lecturesForm: form, hasAttendanceSummary: await valid(`{ courses(first: 1) { nodes { ${lectures} } } }`) };
}
