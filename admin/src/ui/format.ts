import type { ParticipantNameFragment, ParticipantShortFragment } from "../api/sdk";

/** A participant's name. */
export function participantName(participant: ParticipantNameFragment | ParticipantShortFragment | null | undefined): string {
  if (!participant) return "—";
  if (participant.__typename === "Child") return `${participant.firstName} ${participant.lastName}`.trim();
  if (participant.__typename === "Student") return `${participant.user.firstName} ${participant.user.lastName}`.trim();
  return "—";
}

export function guardianName(participant: ParticipantNameFragment | null | undefined): string | null {
  if (participant?.__typename !== "Child") return null;
  return `${participant.parent.user.firstName} ${participant.parent.user.lastName}`.trim();
}

export const personName = (user: { firstName: string; lastName: string } | null | undefined) =>
  user ? `${user.firstName} ${user.lastName}`.trim() : "—";

/** A fresh idempotency key: one per intended operation, kept across retries of it. */
export const newKey = () => crypto.randomUUID();
