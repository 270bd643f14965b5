import { Anchor, Badge, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { request } from "../api/client";
import { useLive } from "../api/live";
import {
  EnrollmentRequestsDocument,
  EnrollmentsDocument,
  NotificationAddedDocument,
  RecentNotificationsDocument,
  RefundRequestsDocument,
  TodayLecturesDocument,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { participantName } from "../ui/format";
import { LectureStatusBadge } from "../ui/badges";
import { QueryState } from "../ui/states";
import { Section } from "../ui/Section";

export default function Today() {
  const access = useAccess();
  const { t } = useI18n();
  const { formats } = access;
  const today = formats.today();
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("today.title")} · {formats.date(today)}
      </Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <TodayLectures today={today} />
        <PendingRequests />
        {access.isStaff && <RefundQueue />}
        {access.isStaff && <Unpaid />}
        <Notifications />
      </SimpleGrid>
    </Stack>
  );
}

function TodayLectures({ today }: { today: string }) {
  const { t } = useI18n();
  const { formats } = useAccess();
  const query = useQuery({ queryKey: ["lectures", "today", today], queryFn: () => request(TodayLecturesDocument, { today }) });
  return (
    <Section title={t("today.lectures")}>
      <QueryState query={query} empty={(data) => data.lectures.nodes.length === 0} emptyText={t("today.noLectures")}>
        {(data) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.time")}</Table.Th>
                <Table.Th>{t("field.course")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
                <Table.Th>{t("attendance.register")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.lectures.nodes.map((lecture) => (
                <Table.Tr key={lecture.id}>
                  <Table.Td>{formats.time(lecture.startTime)}</Table.Td>
                  <Table.Td>{lecture.course.name}</Table.Td>
                  <Table.Td>
                    <LectureStatusBadge status={lecture.status} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/attendance/${lecture.course.id}/${lecture.id}`}>
                      {lecture.attendanceTaken ? t("attendance.open") : t("attendance.take")}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Section>
  );
}

function PendingRequests() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const query = useQuery({
    queryKey: ["enrollmentRequests", "PENDING", "today"],
    queryFn: () => request(EnrollmentRequestsDocument, { status: "PENDING" }),
  });
  return (
    <Section
      title={t("today.requests")}
      actions={
        <Anchor component={Link} to="/enrolment" size="sm">
          {t("action.openAll")}
        </Anchor>
      }
    >
      <QueryState query={query} empty={(data) => data.enrollmentRequests.nodes.length === 0} emptyText={t("enrolment.noPending")}>
        {(data) => (
          <Stack gap="xs">
            <Badge variant="outline">{t("list.count", { count: data.enrollmentRequests.totalCount })}</Badge>
            {data.enrollmentRequests.nodes.slice(0, 5).map((row) => (
              <Group key={row.id} justify="space-between">
                <Text size="sm">
                  {participantName(row.participant)} → {row.course.name}
                </Text>
                <Text size="xs" c="gray.7">
                  {formats.dateTime(row.createdAt)}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}

function RefundQueue() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const query = useQuery({
    queryKey: ["refundRequests", "REQUESTED", "today"],
    queryFn: () => request(RefundRequestsDocument, { status: "REQUESTED" }),
  });
  return (
    <Section
      title={t("today.refunds")}
      actions={
        <Anchor component={Link} to="/money/refunds" size="sm">
          {t("action.openAll")}
        </Anchor>
      }
    >
      <QueryState query={query} empty={(data) => data.refundRequests.nodes.length === 0} emptyText={t("money.noRefunds")}>
        {(data) => (
          <Stack gap="xs">
            {data.refundRequests.nodes.slice(0, 5).map((row) => (
              <Group key={row.id} justify="space-between">
                <Text size="sm">{participantName(row.payment.enrollment.participant)}</Text>
                <Text size="sm" fw={600}>
                  {formats.money(row.amount)}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}

/** Active enrolments with something left to pay (the first 100, composed from `enrollments`). */
function Unpaid() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const query = useQuery({
    queryKey: ["enrollments", "unpaid"],
    queryFn: () => request(EnrollmentsDocument, { status: "ACTIVE", first: 100 }),
  });
  const unpaid = (data: NonNullable<typeof query.data>) =>
    data.enrollments.nodes.filter((row) => row.balance && Number(row.balance.amount) > 0);
  return (
    <Section
      title={t("today.unpaid")}
      actions={
        <Anchor component={Link} to="/money" size="sm">
          {t("action.openAll")}
        </Anchor>
      }
    >
      <QueryState query={query} empty={(data) => unpaid(data).length === 0} emptyText={t("money.allPaid")}>
        {(data) => (
          <Stack gap="xs">
            {unpaid(data)
              .slice(0, 8)
              .map((row) => (
                <Group key={row.id} justify="space-between">
                  <Text size="sm">
                    {participantName(row.participant)} · {row.course.name}
                  </Text>
                  <Text size="sm" fw={600}>
                    {formats.money(row.balance)}
                  </Text>
                </Group>
              ))}
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}

function Notifications() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["notifications", "recent"], queryFn: () => request(RecentNotificationsDocument) });
  useLive(NotificationAddedDocument, {}, () => void client.invalidateQueries({ queryKey: ["notifications"] }));
  return (
    <Section title={t("today.notifications")}>
      <QueryState query={query} empty={(data) => data.notifications.nodes.length === 0} emptyText={t("today.noNotifications")}>
        {(data) => (
          <Stack gap="xs">
            {data.notifications.nodes.map((row) => (
              <div key={row.id}>
                <Text size="sm" fw={row.isRead ? 400 : 600}>
                  {row.title}
                </Text>
                <Text size="xs" c="gray.7">
                  {row.body} · {formats.dateTime(row.createdAt)}
                </Text>
              </div>
            ))}
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}
