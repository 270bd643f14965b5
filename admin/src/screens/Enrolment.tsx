import { Button, Group, Modal, Select, Stack, Table, Tabs, Text, Textarea, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Route, Routes, useLocation, useNavigate, useParams } from "react-router";
import { request } from "../api/client";
import {
  ApproveEnrollmentRequestDocument,
  CompleteEnrollmentDocument,
  CoursesDocument,
  DropEnrollmentDocument,
  EnrollmentRequestsDocument,
  EnrollmentsDocument,
  RejectEnrollmentRequestDocument,
  type EnrollmentRequestStatus,
  type EnrollmentRequestsQuery,
  type EnrollmentsQuery,
  type EnrollmentStatus,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { guardianName, participantName, personName } from "../ui/format";
import { cursorPaging, ErrorAlert, PagedState } from "../ui/states";

export default function Enrolment() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const tab = location.pathname.startsWith("/enrolment/course") ? "course" : "requests";
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.enrolment")}
      </Title>
      <Tabs value={tab} onChange={(value) => navigate(value === "course" ? "/enrolment/course" : "/enrolment")}>
        <Tabs.List>
          <Tabs.Tab value="requests">{t("enrolment.requests")}</Tabs.Tab>
          <Tabs.Tab value="course">{t("enrolment.perCourse")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Requests />} />
        <Route path="course/:courseId?" element={<PerCourse />} />
      </Routes>
    </Stack>
  );
}

function Requests() {
  const { t } = useI18n();
  const { formats, isStaff } = useAccess();
  const client = useQueryClient();
  const [status, setStatus] = useState<EnrollmentRequestStatus>("PENDING");
  const [rejecting, setRejecting] = useState<string | null>(null);
  const page = (data: EnrollmentRequestsQuery) => data.enrollmentRequests;
  const query = useInfiniteQuery({
    queryKey: ["enrollmentRequests", status],
    queryFn: ({ pageParam }) => request(EnrollmentRequestsDocument, { status, after: pageParam }),
    ...cursorPaging(page),
  });
  const refresh = () =>
    Promise.all([client.invalidateQueries({ queryKey: ["enrollmentRequests"] }), client.invalidateQueries({ queryKey: ["enrollments"] })]);
  const approve = useMutation({ mutationFn: (id: string) => request(ApproveEnrollmentRequestDocument, { id }), onSuccess: refresh });
  return (
    <Stack>
      <Select
        label={t("field.status")}
        data={(["PENDING", "APPROVED", "REJECTED", "CANCELLED"] as const).map((value) => ({ value, label: t(`status.${value}`) }))}
        value={status}
        onChange={(value) => value && setStatus(value as EnrollmentRequestStatus)}
        allowDeselect={false}
        w={200}
      />
      <ErrorAlert error={approve.error} />
      <PagedState query={query} page={(data) => page(data as EnrollmentRequestsQuery)} emptyText={t("enrolment.noRequests")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.participant")}</Table.Th>
                <Table.Th>{t("field.course")}</Table.Th>
                <Table.Th>{t("field.note")}</Table.Th>
                <Table.Th>{t("field.requested")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
                {isStaff && status === "PENDING" && <Table.Th>{t("field.actions")}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((row) => (
                <Table.Tr key={row.id} data-testid="request-row">
                  <Table.Td>
                    {participantName(row.participant)}
                    <Text size="xs" c="gray.7">
                      {t("field.by", { name: guardianName(row.participant) ?? personName(row.requestedBy) })}
                    </Text>
                  </Table.Td>
                  <Table.Td>{row.course.name}</Table.Td>
                  <Table.Td>{row.note ?? row.decisionReason ?? "—"}</Table.Td>
                  <Table.Td>{formats.dateTime(row.createdAt)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={row.status} />
                  </Table.Td>
                  {isStaff && status === "PENDING" && (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          loading={approve.isPending && approve.variables === row.id}
                          onClick={() => approve.mutate(row.id)}
                        >
                          {t("action.approve")}
                        </Button>
                        <Button size="xs" variant="default" color="red" onClick={() => setRejecting(row.id)}>
                          {t("action.reject")}
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
      {rejecting && <Reject id={rejecting} onClose={() => setRejecting(null)} onDone={refresh} />}
    </Stack>
  );
}

function Reject({ id, onClose, onDone }: { id: string; onClose: () => void; onDone: () => Promise<unknown> }) {
  const { t } = useI18n();
  const [reason, setReason] = useState("");
  const reject = useMutation({
    mutationFn: () => request(RejectEnrollmentRequestDocument, { id, reason }),
    onSuccess: async () => {
      await onDone();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("enrolment.rejectTitle")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          reject.mutate();
        }}
      >
        <Stack>
          <Textarea
            label={t("field.reason")}
            required
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            data-autofocus
          />
          <ErrorAlert error={reject.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("action.close")}
            </Button>
            <Button type="submit" color="red" loading={reject.isPending} disabled={!reason.trim()}>
              {t("action.reject")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The courses a viewer may pick (an instructor: theirs). */
export function useCourseOptions() {
  const { instructorOnly, instructorId } = useAccess();
  const query = useQuery({
    queryKey: ["courses", "options", instructorOnly, instructorId],
    queryFn: () =>
      request(CoursesDocument, { first: 100, orderBy: { field: "NAME" }, filter: instructorOnly ? { instructorId } : undefined }),
  });
  return { query, options: (query.data?.courses.nodes ?? []).map((course) => ({ value: course.id, label: course.name })) };
}

function PerCourse() {
  const { t } = useI18n();
  const { formats, isStaff } = useAccess();
  const { courseId } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { options } = useCourseOptions();
  const [status, setStatus] = useState<EnrollmentStatus | null>("ACTIVE");
  const page = (data: EnrollmentsQuery) => data.enrollments;
  const query = useInfiniteQuery({
    queryKey: ["enrollments", courseId, status],
    queryFn: ({ pageParam }) => request(EnrollmentsDocument, { courseId, status, first: 50, after: pageParam }),
    ...cursorPaging(page),
    enabled: Boolean(courseId),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ["enrollments"] });
  const drop = useMutation({ mutationFn: (id: string) => request(DropEnrollmentDocument, { id }), onSuccess: refresh });
  const complete = useMutation({ mutationFn: (id: string) => request(CompleteEnrollmentDocument, { id }), onSuccess: refresh });
  return (
    <Stack>
      <Group align="end">
        <Select
          label={t("field.course")}
          data={options}
          value={courseId ?? null}
          onChange={(value) => navigate(`/enrolment/course/${value ?? ""}`)}
          searchable
          w={280}
        />
        <Select
          label={t("field.status")}
          data={(["ACTIVE", "COMPLETED", "DROPPED", "REFUNDED"] as const).map((value) => ({ value, label: t(`status.${value}`) }))}
          value={status}
          onChange={(value) => setStatus(value as EnrollmentStatus | null)}
          clearable
          w={180}
        />
      </Group>
      <ErrorAlert error={drop.error ?? complete.error} />
      {!courseId ? (
        <Text c="gray.7">{t("enrolment.pickCourse")}</Text>
      ) : (
        <PagedState query={query} page={(data) => page(data as EnrollmentsQuery)} emptyText={t("enrolment.noEnrolments")}>
          {(nodes) => (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("field.participant")}</Table.Th>
                  <Table.Th>{t("field.enrolled")}</Table.Th>
                  <Table.Th>{t("field.paid")}</Table.Th>
                  <Table.Th>{t("field.balance")}</Table.Th>
                  <Table.Th>{t("field.status")}</Table.Th>
                  {isStaff && <Table.Th>{t("field.actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {nodes.map((row) => (
                  <Table.Tr key={row.id}>
                    <Table.Td>{participantName(row.participant)}</Table.Td>
                    <Table.Td>{formats.dateTime(row.enrolledAt)}</Table.Td>
                    <Table.Td>{formats.money(row.amountPaid)}</Table.Td>
                    <Table.Td>{formats.money(row.balance)}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={row.status} />
                    </Table.Td>
                    {isStaff && (
                      <Table.Td>
                        {row.status === "ACTIVE" && (
                          <Group gap="xs" wrap="nowrap">
                            <Button size="compact-xs" variant="default" onClick={() => complete.mutate(row.id)}>
                              {t("enrolment.complete")}
                            </Button>
                            <Button size="compact-xs" variant="default" color="red" onClick={() => drop.mutate(row.id)}>
                              {t("enrolment.drop")}
                            </Button>
                          </Group>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </PagedState>
      )}
    </Stack>
  );
}
