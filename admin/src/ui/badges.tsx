import { Badge } from "@mantine/core";
import { useI18n, type MessageKey } from "../i18n";

const COLORS: Record<string, string> = {
  SCHEDULED: "blue",
  COMPLETED: "gray",
  CANCELLED: "red",
  PENDING: "yellow",
  APPROVED: "teal",
  REJECTED: "red",
  ACTIVE: "teal",
  DROPPED: "red",
  REFUNDED: "grape",
  SUCCEEDED: "teal",
  PARTIALLY_REFUNDED: "grape",
  FAILED: "red",
  REQUESTED: "yellow",
  DRAFT: "gray",
  PUBLISHED: "teal",
  CONFIRMED: "teal",
  WAITLISTED: "yellow",
  RUNNING: "blue",
  ACCEPTED: "teal",
  DECLINED: "red",
  EXPIRED: "gray",
  REVOKED: "red",
};

/** A status as a badge, in the user's language (outline: readable contrast in every colour). */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  const label = t(key);
  return (
    <Badge variant="outline" color={COLORS[status] ?? "gray"} autoContrast>
      {label === key ? status : label}
    </Badge>
  );
}

export const LectureStatusBadge = StatusBadge;
