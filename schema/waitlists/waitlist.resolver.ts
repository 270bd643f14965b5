import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { participantIdOf } from "../../server/auth/policies";
import type { Context } from "../../server/context";
import * as waitlist from "../../server/services/course-waitlist";
import { Course } from "../courses/course.type";
import { Participant } from "../people/people.type";
import { Connection, toConnection } from "../shared/connection";
import { UUID } from "../shared/scalars";
import { User } from "../users/user.type";
import { CourseWaitlistFilter, JoinCourseWaitlistInput } from "./waitlist.input";
import { AcceptWaitlistOfferPayload, CourseWaitlistEntry } from "./waitlist.type";

const CourseWaitlistEntryConnection = Connection(CourseWaitlistEntry, "CourseWaitlistEntry");

@Resolver(() => CourseWaitlistEntry)
export class CourseWaitlistResolver {
  @Query(() => CourseWaitlistEntryConnection, {
    description: "Course waitlist entries you may see (staff: all; others: those they asked for or of their participants), in line order.",
  })
  async courseWaitlistEntries(
    @Ctx() ctx: Context,
    @Arg("filter", () => CourseWaitlistFilter, { nullable: true, description: "Conditions the entries must meet." })
    filter?: CourseWaitlistFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." }) first?: number,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page." }) after?: string,
  ) {
    return toConnection(await waitlist.listWaitlistEntries(ctx, { filter, first, after }), (row) => row);
  }

  @Mutation(() => CourseWaitlistEntry, {
    description:
      "Joins a course's waitlist when it cannot take the participants now (too few free places, or others already waiting); siblings join together. CONFLICT when places are free (request enrolment instead), a participant is already enrolled or in line, or the course is over. The entry may come back OFFERED at once.",
  })
  joinCourseWaitlist(
    @Arg("input", () => JoinCourseWaitlistInput, { description: "The course and the participants." }) input: JoinCourseWaitlistInput,
    @Ctx() ctx: Context,
  ) {
    return waitlist.joinCourseWaitlist(ctx, input);
  }

  @Mutation(() => AcceptWaitlistOfferPayload, {
    description:
      "Accepts an OFFERED entry before offerExpiresAt (who acts for all its participants, or staff): every participant is enrolled (ACTIVE). CONFLICT once expired.",
  })
  acceptWaitlistOffer(@Arg("id", () => UUID, { description: "The OFFERED entry." }) id: string, @Ctx() ctx: Context) {
    return waitlist.acceptWaitlistOffer(ctx, id);
  }

  @Mutation(() => CourseWaitlistEntry, { description: "Declines an OFFERED entry: DECLINED, and its places go to the next in line." })
  declineWaitlistOffer(@Arg("id", () => UUID, { description: "The OFFERED entry." }) id: string, @Ctx() ctx: Context) {
    return waitlist.declineWaitlistOffer(ctx, id);
  }

  @Mutation(() => CourseWaitlistEntry, { description: "Leaves the line while WAITING: CANCELLED (an offer is declined instead)." })
  cancelWaitlistEntry(@Arg("id", () => UUID, { description: "The WAITING entry." }) id: string, @Ctx() ctx: Context) {
    return waitlist.cancelWaitlistEntry(ctx, id);
  }

  @FieldResolver(() => Course, { description: "The course." })
  course(@Root() entry: CourseWaitlistEntry, @Ctx() ctx: Context) {
    return ctx.loaders.course.load(entry.courseId);
  }

  @FieldResolver(() => [Participant], { description: "The participants placed together (all enrolled at once, or none)." })
  async participants(@Root() entry: CourseWaitlistEntry, @Ctx() ctx: Context) {
    const rows = await ctx.loaders.waitlistParticipants.load(entry.id);
    const found = await ctx.loaders.participant.loadMany(rows.map(participantIdOf));
    return found.flatMap((participant) => (participant && !(participant instanceof Error) ? [participant.row] : []));
  }

  @FieldResolver(() => Int, { nullable: true, description: "Place in line while WAITING (1: next to be offered); null otherwise." })
  async position(@Root() entry: CourseWaitlistEntry, @Ctx() ctx: Context) {
    if (entry.status !== "WAITING") return null;
    return (await ctx.loaders.waitlistPosition.load(entry.id))?.position ?? null;
  }

  @FieldResolver(() => User, { description: "Who put the entry in line." })
  requestedBy(@Root() entry: CourseWaitlistEntry, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(entry.requestedBy);
  }
}
