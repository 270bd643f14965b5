import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import type { PrivacyRule } from "../../server/auth/policies";
import * as participants from "../../server/services/participants";
import { Connection, toConnection } from "../shared/connection";
import { Gender } from "../shared/enums";
import { LocalDate, UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { CreateChildInput, UpdateChildInput } from "./people.input";
import { Child, Instructor, Parent, Student } from "./people.type";

const StudentConnection = Connection(Student, "Student");
const InstructorConnection = Connection(Instructor, "Instructor");

@Resolver(() => Student)
export class StudentResolver {
  @Query(() => StudentConnection, { description: "Students of the tenant (staff and instructors), in a stable order (by id)." })
  async students(
    @Ctx() ctx: Context,
    @Arg("search", () => String, { nullable: true, description: "Text found in the first or last name (any case)." }) search?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await participants.listStudents(ctx, { search, first, after }), (row) => row);
  }

  @FieldResolver(() => User, { description: "The student's account (private fields follow the privacy rules)." })
  user(@Root() student: Student, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(student.userId);
  }
}

@Resolver(() => Instructor)
export class InstructorResolver {
  @Query(() => InstructorConnection, {
    description: "Instructors of the tenant, in a stable order (by id). Public: anonymous with X-Tenant too.",
  })
  async instructors(
    @Ctx() ctx: Context,
    @Arg("search", () => String, { nullable: true, description: "Text found in the first or last name (any case)." }) search?: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await participants.listInstructors(ctx, { search, first, after }), (row) => row);
  }

  @FieldResolver(() => User, { description: "The instructor's account (private fields follow the privacy rules)." })
  user(@Root() instructor: Instructor, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(instructor.userId);
  }
}

@Resolver(() => Parent)
export class ParentResolver {
  @FieldResolver(() => User, { description: "The parent's account (private fields follow the privacy rules)." })
  user(@Root() parent: Parent, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(parent.userId);
  }

  @FieldResolver(() => [Child], {
    description: "The parent's children, oldest added first (at most 50): for the parent and staff of the tenant; empty for others.",
  })
  async children(@Root() parent: Parent, @Ctx() ctx: Context) {
    return participants.childrenOfParent(ctx, parent);
  }
}

@Resolver(() => Child)
export class ChildResolver {
  @Query(() => [Child], { description: "Your children in the current tenant, oldest added first (members; at most 50)." })
  myChildren(
    @Ctx() ctx: Context,
    @Arg("includeArchived", () => Boolean, { nullable: true, description: "Archived children too (default false)." })
    includeArchived?: boolean | null,
  ) {
    return participants.myChildren(ctx, includeArchived ?? false);
  }

  @Mutation(() => Child, {
    description:
      "Archives a child (the parent or staff): left out of myChildren, every row kept (enrolments, payments, attendance), " +
      "and no new enrolment requests or approvals (CONFLICT). CONFLICT when already archived.",
  })
  archiveChild(@Arg("id", () => UUID, { description: "The child to archive." }) id: string, @Ctx() ctx: Context) {
    return participants.setChildArchived(ctx, id, true);
  }

  @Mutation(() => Child, { description: "Brings an archived child back (the parent or staff). CONFLICT when not archived." })
  unarchiveChild(@Arg("id", () => UUID, { description: "The child to bring back." }) id: string, @Ctx() ctx: Context) {
    return participants.setChildArchived(ctx, id, false);
  }

  @Mutation(() => Boolean, {
    description:
      "Deletes a child added by mistake (the parent or staff); true when done. A child with enrolment requests, enrolments " +
      "(and so payments), attendance or exam results is refused with CONFLICT (extensions.reason HAS_HISTORY, suggestion archiveChild).",
  })
  deleteChild(@Arg("id", () => UUID, { description: "The child to delete." }) id: string, @Ctx() ctx: Context) {
    return participants.deleteChild(ctx, id);
  }

  @Mutation(() => Child, { description: "Adds a child to your parent profile (PARENT role), or staff to the parent given." })
  addChild(
    @Arg("input", () => CreateChildInput, { description: "The child; firstName is required." }) input: CreateChildInput,
    @Ctx() ctx: Context,
  ) {
    return participants.addChild(ctx, input);
  }

  @Mutation(() => Child, { description: "Changes a child's details (the parent or staff)." })
  updateChild(
    @Arg("id", () => UUID, { description: "The child to change." }) id: string,
    @Arg("input", () => UpdateChildInput, { description: "The fields to change; parentId is ignored." }) input: UpdateChildInput,
    @Ctx() ctx: Context,
  ) {
    return participants.updateChild(ctx, id, input);
  }

  @FieldResolver(() => Parent, { description: "The parent the child belongs to." })
  parent(@Root() child: Child, @Ctx() ctx: Context) {
    return ctx.loaders.parent.load(child.parentId);
  }

  @Authorized<PrivacyRule>("CHILD")
  @FieldResolver(() => LocalDate, {
    nullable: true,
    description: "Date of birth (YYYY-MM-DD). Private: the parent and staff only (null for others, or when not given).",
  })
  dateOfBirth(@Root() child: Child & { dateOfBirth: string | null }) {
    return child.dateOfBirth;
  }

  @FieldResolver(() => Gender, { nullable: true, description: "Gender (UNSPECIFIED when not given)." })
  gender(@Root() child: Child & { gender: string }) {
    return child.gender;
  }

  @Authorized<PrivacyRule>("CHILD")
  @FieldResolver(() => String, {
    nullable: true,
    description: "Notes for staff (allergies, pick-up …). Private: the parent and staff only (null for others, or when none).",
  })
  notes(@Root() child: Child & { notes: string | null }) {
    return child.notes;
  }
}
