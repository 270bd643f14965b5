/**
 * Per-request DataLoaders (never module-level: they cache rows, and rows belong
 * to one request and one tenant). Every relation field resolves through these;
 * each domain contributes its own in loaders/<domain>.ts.
 */
import type { Context } from "../context";
import { courseLoaders } from "./courses";
import { enrollmentLoaders } from "./enrollments";
import { eventLoaders } from "./events";
import { examLoaders } from "./exams";
import { lectureLoaders } from "./lectures";
import { paymentLoaders } from "./payments";
import { peopleLoaders } from "./people";
import { userLoaders } from "./users";
import { refundPolicyLoaders } from "./refund-policies";
import { waitlistLoaders } from "./waitlists";

export type LoaderContext = Pick<Context, "db" | "tenant" | "viewer" | "scope">;

export function createLoaders(ctx: LoaderContext) {
  return {
    ...userLoaders(ctx),
    ...peopleLoaders(ctx),
    ...courseLoaders(ctx),
    ...lectureLoaders(ctx),
    ...examLoaders(ctx),
    ...enrollmentLoaders(ctx),
    ...eventLoaders(ctx),
    ...paymentLoaders(ctx),
    ...waitlistLoaders(ctx),
    ...refundPolicyLoaders(ctx),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
