import { createUnionType, Field, ObjectType } from "type-graphql";
import type { Child as ChildRow, Instructor as InstructorRow, Parent as ParentRow, Student as StudentRow } from "../../drizzle/schema";
import { DateTime, UUID } from "../shared/scalars";

@ObjectType({ description: "A student's profile in a tenant (a participant with a login of their own)." })
export class Student implements Pick<StudentRow, "id" | "school" | "grade"> {
  @Field(() => UUID, { description: "Also the participant id for enrolment and attendance." })
  id: string;

  userId: string;

  @Field(() => String, { nullable: true, description: "The school the student attends; null when not recorded." })
  school: string | null;

  @Field(() => String, { nullable: true, description: "The student's school grade or year; null when not recorded." })
  grade: string | null;
}

@ObjectType({ description: "A parent's profile in a tenant; a parent enrols their children." })
export class Parent implements Pick<ParentRow, "id" | "tenantId" | "userId"> {
  @Field(() => UUID, { description: "The parent profile's id (CreateChildInput.parentId)." })
  id: string;

  tenantId: string;
  userId: string;
}

@ObjectType({ description: "A parent's child: a participant without a login." })
export class Child implements Pick<ChildRow, "id" | "tenantId" | "parentId" | "firstName" | "lastName" | "archivedAt"> {
  @Field(() => UUID, { description: "Also the participant id for enrolment and attendance." })
  id: string;

  tenantId: string;
  parentId: string;

  @Field(() => String, { description: "First name (not empty)." })
  firstName: string;

  @Field(() => String, { description: "Last name; may be empty." })
  lastName: string;

  @Field(() => DateTime, {
    nullable: true,
    description:
      "When the child was archived (archiveChild); null while current. Archived children are left out of myChildren " +
      "unless asked for and take no new enrolment requests; their history stays.",
  })
  archivedAt: Date | null;
}

@ObjectType({ description: "An instructor's profile in a tenant." })
export class Instructor implements Pick<InstructorRow, "id" | "bio" | "specialty"> {
  @Field(() => UUID, { description: "The instructor profile's id (CreateCourseInput.instructorId, CourseFilter.instructorId)." })
  id: string;

  userId: string;

  @Field(() => String, { nullable: true, description: "About the instructor; null when not recorded." })
  bio: string | null;

  @Field(() => String, { nullable: true, description: 'What they teach, e.g. "Mathematics"; null when not recorded.' })
  specialty: string | null;
}

/** Which member of Participant a row is: a child row has a parentId. */
export const participantTypeOf = (value: object) => ("parentId" in value ? "Child" : "Student");

/** A participant: exactly one of a student or a child. */
export const Participant = createUnionType({
  name: "Participant",
  description: "Who takes part in a course: a student, or a parent's child.",
  types: () => [Student, Child] as const,
  resolveType: participantTypeOf,
});
