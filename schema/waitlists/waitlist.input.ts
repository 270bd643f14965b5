import { Field, InputType } from "type-graphql";
import type { CourseWaitlistStatus as StatusValue } from "../../drizzle/tables/enums-types";
import type { WaitlistFilter as WaitlistFilterFields } from "../../server/services/course-waitlist";
import { CourseWaitlistStatus } from "../shared/enums";
import { UUID } from "../shared/scalars";

@InputType({ description: "Join a full course's waitlist, alone or as siblings placed together." })
export class JoinCourseWaitlistInput {
  @Field(() => UUID, { description: "A course you may see, published (staff: any) and not over." })
  courseId: string;

  @Field(() => [UUID], {
    description: "1 to 10 participants you act for (Student or Child ids), placed together: all or none.",
  })
  participantIds: string[];
}

@InputType({ description: "Which waitlist entries to list." })
export class CourseWaitlistFilter implements WaitlistFilterFields {
  @Field(() => UUID, { nullable: true, description: "Only entries of this course." })
  courseId?: string | null;

  @Field(() => CourseWaitlistStatus, { nullable: true, description: "Only entries in this state." })
  status?: StatusValue | null;
}
