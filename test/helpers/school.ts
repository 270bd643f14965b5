/**
 * A course centre for tests: a tenant with an admin, an instructor, parents with
 * children and students, and helpers that create courses and enrolments through the API.
 */
import { eq } from "drizzle-orm";
import { instructors, parents, students } from "../../drizzle/schema";
import type { TestServer } from "./server";
import { data } from "./client";
import type { SignedIn, TestTenant } from "./fixtures";
import {
  AddChildDocument,
  ApproveEnrollmentRequestDocument,
  CreateCourseDocument,
  RequestEnrollmentDocument,
  type CreateCourseInput,
} from "../sdk/graphql";

export interface Family {
  parent: SignedIn;
  childIds: string[];
}

export interface School {
  tenant: TestTenant;
  admin: SignedIn;
  instructor: SignedIn & { instructorId: string };
  createCourse(input?: Partial<CreateCourseInput>): Promise<string>;
  family(childCount?: number): Promise<Family>;
  student(): Promise<SignedIn & { studentId: string }>;
  /** Requests and approves a place; returns the enrolment id. */
  enroll(courseId: string, participantId: string, as?: SignedIn): Promise<string>;
}

export async function createSchool(t: TestServer, tenant?: TestTenant): Promise<School> {
  const centre = tenant ?? (await t.fixtures.tenant());
  const admin = await t.fixtures.member(centre, ["ADMIN"]);
  const instructorLogin = await t.fixtures.member(centre, ["INSTRUCTOR"]);
  const [profile] = await t.deps.database.db.select().from(instructors).where(eq(instructors.userId, instructorLogin.user.id));
  let counter = 0;
  const school: School = {
    tenant: centre,
    admin,
    instructor: { ...instructorLogin, instructorId: profile!.id },
    async createCourse(input = {}) {
      const created = data(
        await admin.client.request(CreateCourseDocument, {
          input: {
            name: `Course ${++counter}`,
            startsOn: "2099-01-03",
            endsOn: "2099-03-31",
            capacity: 20,
            price: "250.00",
            isPublished: true,
            instructorId: profile!.id,
            ...input,
          },
        }),
      );
      return created.createCourse.id;
    },
    async family(childCount = 2) {
      const parent = await t.fixtures.member(centre, ["PARENT"]);
      const childIds: string[] = [];
      for (let i = 0; i < childCount; i++) {
        const child = data(await parent.client.request(AddChildDocument, { input: { firstName: `Kid${i}`, lastName: "Test" } }));
        childIds.push(child.addChild.id);
      }
      return { parent, childIds };
    },
    async student() {
      const signedIn = await t.fixtures.member(centre, ["STUDENT"]);
      const [row] = await t.deps.database.db.select().from(students).where(eq(students.userId, signedIn.user.id));
      return { ...signedIn, studentId: row!.id };
    },
    async enroll(courseId, participantId, as = admin) {
      const request = data(await as.client.request(RequestEnrollmentDocument, { input: { courseId, participantId } }));
      const approved = data(await admin.client.request(ApproveEnrollmentRequestDocument, { id: request.requestEnrollment.id }));
      return approved.approveEnrollmentRequest.enrollment.id;
    },
  };
  return school;
}

/** The parent profile id of a signed-in parent. */
export async function parentIdOf(t: TestServer, parent: SignedIn) {
  const [row] = await t.deps.database.db.select().from(parents).where(eq(parents.userId, parent.user.id));
  return row!.id;
}
