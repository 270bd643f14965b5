import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context";
import { mayListChildren, type PrivacyRule } from "../../server/services/privacy";
import * as participants from "../../server/services/participants";
import { Connection, toConnection } from "../shared/connection";
import { Gender } from "../shared/enums";
import { LocalDate, UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { ChildInput } from "./people.input";
import { Child, Instructor, Parent, Student } from "./people.type";

const StudentConnection = Connection(Student, "Student");
const InstructorConnection = Connection(Instructor, "Instructor");

@Resolver(() => Student)
export class StudentResolver {
  @Query(() => StudentConnection, { description: "Students of the tenant (staff and instructors)." })
  async students(
    @Ctx() ctx: Context,
    @Arg("search", () => String, { nullable: true }) search?: string,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await participants.listStudents(ctx, { search, first, after }), (row) => row);
  }

  @FieldResolver(() => User)
  user(@Root() student: Student, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(student.userId);
  }
}

@Resolver(() => Instructor)
export class InstructorResolver {
  @Query(() => InstructorConnection, { description: "Instructors of the tenant (public)." })
  async instructors(
    @Ctx() ctx: Context,
    @Arg("search", () => String, { nullable: true }) search?: string,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    return toConnection(await participants.listInstructors(ctx, { search, first, after }), (row) => row);
  }

  @FieldResolver(() => User)
  user(@Root() instructor: Instructor, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(instructor.userId);
  }
}

@Resolver(() => Parent)
export class ParentResolver {
  @FieldResolver(() => User)
  user(@Root() parent: Parent, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(parent.userId);
  }

  @FieldResolver(() => [Child], { description: "Visible to the parent and staff." })
  async children(@Root() parent: Parent, @Ctx() ctx: Context) {
    return mayListChildren(ctx, parent) ? ctx.loaders.childrenOfParent.load(parent.id) : [];
  }
}

@Resolver(() => Child)
export class ChildResolver {
  @Query(() => [Child], { description: "Your children in the current tenant." })
  myChildren(@Ctx() ctx: Context) {
    return participants.myChildren(ctx);
  }

  @Mutation(() => Child, { description: "Adds a child to your parent profile (staff: to the parent given)." })
  addChild(@Arg("input", () => ChildInput) input: ChildInput, @Ctx() ctx: Context) {
    return participants.addChild(ctx, input);
  }

  @Mutation(() => Child, { description: "Changes a child's details (the parent or staff)." })
  updateChild(@Arg("id", () => UUID) id: string, @Arg("input", () => ChildInput) input: ChildInput, @Ctx() ctx: Context) {
    return participants.updateChild(ctx, id, input);
  }

  @FieldResolver(() => Parent)
  parent(@Root() child: Child, @Ctx() ctx: Context) {
    return ctx.loaders.parent.load(child.parentId);
  }

  @Authorized<PrivacyRule>("CHILD")
  @FieldResolver(() => LocalDate, { nullable: true, description: "The parent and staff only." })
  dateOfBirth(@Root() child: Child & { dateOfBirth: string | null }) {
    return child.dateOfBirth;
  }

  @FieldResolver(() => Gender, { nullable: true })
  gender(@Root() child: Child & { gender: string }) {
    return child.gender;
  }

  @Authorized<PrivacyRule>("CHILD")
  @FieldResolver(() => String, { nullable: true, description: "The parent and staff only." })
  notes(@Root() child: Child & { notes: string | null }) {
    return child.notes;
  }
}
