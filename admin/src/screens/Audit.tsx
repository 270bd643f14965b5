import { Code, Group, Select, Stack, Table, Tabs, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Route, Routes, useLocation, useNavigate } from "react-router";
import { request } from "../api/client";
import { AuditLogDocument, JobRunsDocument, type AuditLogQuery, type JobRunsQuery } from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { personName } from "../ui/format";
import { cursorPaging, PagedState } from "../ui/states";

export default function Audit() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const tab = location.pathname.startsWith("/audit/jobs") ? "jobs" : "log";
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.audit")}
      </Title>
      <Tabs value={tab} onChange={(value) => navigate(value === "jobs" ? "/audit/jobs" : "/audit")}>
        <Tabs.List>
          <Tabs.Tab value="log">{t("audit.log")}</Tabs.Tab>
          <Tabs.Tab value="jobs">{t("audit.jobs")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<AuditLog />} />
        <Route path="jobs" element={<JobRuns />} />
      </Routes>
    </Stack>
  );
}

function AuditLog() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const [entity, setEntity] = useState("");
  const [action, setAction] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const filter = {
    entity: entity.trim() || null,
    action: action.trim() || null,
    from: from ? formats.toInstant(`${from}T00:00`) : null,
    to: to ? formats.toInstant(`${to}T23:59`) : null,
  };
  const page = (data: AuditLogQuery) => data.auditLog;
  const query = useInfiniteQuery({
    queryKey: ["auditLog", filter],
    queryFn: ({ pageParam }) => request(AuditLogDocument, { filter, after: pageParam }),
    ...cursorPaging(page),
  });
  return (
    <Stack>
      <Group align="end">
        <TextInput
          label={t("audit.entity")}
          placeholder="course"
          value={entity}
          onChange={(event) => setEntity(event.currentTarget.value)}
        />
        <TextInput
          label={t("audit.action")}
          placeholder="course.update"
          value={action}
          onChange={(event) => setAction(event.currentTarget.value)}
        />
        <TextInput type="date" label={t("filter.from")} value={from} onChange={(event) => setFrom(event.currentTarget.value)} />
        <TextInput type="date" label={t("filter.to")} value={to} onChange={(event) => setTo(event.currentTarget.value)} />
      </Group>
      <PagedState query={query} page={(data) => page(data as AuditLogQuery)} emptyText={t("audit.none")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.date")}</Table.Th>
                <Table.Th>{t("audit.actor")}</Table.Th>
                <Table.Th>{t("audit.action")}</Table.Th>
                <Table.Th>{t("audit.entity")}</Table.Th>
                <Table.Th>{t("audit.change")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>{formats.dateTime(row.createdAt)}</Table.Td>
                  <Table.Td>{personName(row.actor)}</Table.Td>
                  <Table.Td>{row.action}</Table.Td>
                  <Table.Td>
                    {row.entity}
                    <Text size="xs" c="gray.7">
                      {row.entityId}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <details>
                      <summary>{t("audit.show")}</summary>
                      <Code block dir="ltr" style={{ maxWidth: 420, maxHeight: 240, overflow: "auto" }}>
                        {JSON.stringify({ before: row.before, after: row.after }, null, 2)}
                      </Code>
                    </details>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
    </Stack>
  );
}

function JobRuns() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const [job, setJob] = useState<string | null>(null);
  const page = (data: JobRunsQuery) => data.jobRuns;
  const query = useInfiniteQuery({
    queryKey: ["jobRuns", job],
    queryFn: ({ pageParam }) => request(JobRunsDocument, { job, after: pageParam }),
    ...cursorPaging(page),
  });
  return (
    <Stack>
      <Select
        label={t("audit.job")}
        data={[
          { value: "mark-absent", label: "mark-absent" },
          { value: "instructor-attendance", label: "instructor-attendance" },
        ]}
        value={job}
        onChange={setJob}
        clearable
        w={240}
      />
      <PagedState query={query} page={(data) => page(data as JobRunsQuery)} emptyText={t("audit.noJobs")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("audit.job")}</Table.Th>
                <Table.Th>{t("audit.window")}</Table.Th>
                <Table.Th>{t("audit.started")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
                <Table.Th>{t("audit.counts")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>{row.job}</Table.Td>
                  <Table.Td>{row.windowKey}</Table.Td>
                  <Table.Td>{formats.dateTime(row.startedAt)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={row.status} />
                    {row.error && (
                      <Text size="xs" c="red.9">
                        {row.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td dir="ltr">{row.counts ? JSON.stringify(row.counts) : "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
    </Stack>
  );
}
