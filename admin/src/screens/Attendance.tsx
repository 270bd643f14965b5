import { Anchor, Badge, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { request } from "../api/client";
import { useLive } from "../api/live";
import {
  AttendanceUpdatedDocument,
  CourseAttendanceSummaryDocument,
  CourseLecturesDocument,
  MarkAttendanceDocument,
  RegisterDocument,
  type MarkRowFragment,
  type RegisterQuery,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { participantName } from "../ui/format";
import { Section } from "../ui/Section";
import { ErrorAlert, QueryState } from "../ui/states";
import { useCourseOptions } from "./Enrolment";

export default function Attendance() {
  return (
    <Routes>
      <Route index element={<CoursePicker />} />
      <Route path=":courseId" element={<CoursePicker />} />
      <Route path=":courseId/:lectureId" element={<RegisterScreen />} />
    </Routes>
  );
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function CoursePicker() {
  const { t } = useI18n();
  const { courseId } = useParams();
  const navigate = useNavigate();
  const { options, query: courses } = useCourseOptions();
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.attendance")}
      </Title>
      <Select
        label={t("field.course")}
        data={options}
        value={courseId ?? null}
        onChange={(value) => value && navigate(`/attendance/${value}`)}
        searchable
        w={320}
        disabled={courses.isPending}
      />
      <ErrorAlert error={courses.error} />
      {courseId ? (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <CourseLectures courseId={courseId} />
          <CourseSummary courseId={courseId} />
        </SimpleGrid>
      ) : (
        <Text c="gray.7">{t("attendance.pickCourse")}</Text>
      )}
    </Stack>
  );
}

function CourseLectures({ courseId }: { courseId: string }) {
  const { t } = useI18n();
  const { formats } = useAccess();
  const today = formats.today();
  const query = useQuery({
    queryKey: ["lectures", courseId, today],
    queryFn: () => request(CourseLecturesDocument, { courseId, from: addDays(today, -14), to: addDays(today, 14) }),
  });
  return (
    <Section title={t("attendance.lectures")}>
      <QueryState query={query} empty={(data) => data.lectures.nodes.length === 0} emptyText={t("catalogue.noLectures")}>
        {(data) => (
          <Table>
            <Table.Tbody>
              {data.lectures.nodes.map((lecture) => (
                <Table.Tr key={lecture.id}>
                  <Table.Td>
                    {formats.date(lecture.date)} {lecture.date === today && <Badge variant="outline">{t("today.title")}</Badge>}
                  </Table.Td>
                  <Table.Td>{formats.time(lecture.startTime)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={lecture.status} />
                  </Table.Td>
                  <Table.Td>
                    {lecture.attendanceSummary &&
                      t("attendance.counts", { present: lecture.attendanceSummary.present, absent: lecture.attendanceSummary.absent })}
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/attendance/${courseId}/${lecture.id}`}>
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

function CourseSummary({ courseId }: { courseId: string }) {
  const { t } = useI18n();
  const { formats } = useAccess();
  const query = useQuery({
    queryKey: ["courseAttendance", courseId],
    queryFn: () => request(CourseAttendanceSummaryDocument, { courseId }),
  });
  const percent = (rate: number | null | undefined) => (rate == null ? "—" : `${Math.round(rate * 100)}%`);
  return (
    <Section title={t("attendance.summary")}>
      <QueryState query={query} empty={(data) => data.courseAttendance.lectures.length === 0} emptyText={t("attendance.noSummary")}>
        {(data) => (
          <Stack gap="xs">
            <Text fw={600}>{t("attendance.rate", { rate: percent(data.courseAttendance.rate) })}</Text>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("field.date")}</Table.Th>
                  <Table.Th>{t("attendance.present")}</Table.Th>
                  <Table.Th>{t("attendance.absent")}</Table.Th>
                  <Table.Th>{t("attendance.unmarked")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.courseAttendance.lectures.map((row) => (
                  <Table.Tr key={row.lecture.id}>
                    <Table.Td>{formats.date(row.lecture.date)}</Table.Td>
                    <Table.Td>{row.present}</Table.Td>
                    <Table.Td>{row.absent}</Table.Td>
                    <Table.Td>{row.unmarked}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}

interface Mark {
  present: boolean;
  rating: string | null;
}

const RATINGS = ["10", "9", "8", "7", "6", "5", "4", "3", "2", "1"];

/** A lecture's register, made for a tablet at the door: a tap per child, one for the whole class. */
function RegisterScreen() {
  const { courseId, lectureId } = useParams() as { courseId: string; lectureId: string };
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const key = ["register", lectureId];
  const query = useQuery({ queryKey: key, queryFn: () => request(RegisterDocument, { lectureId, courseId }) });
  const [drafts, setDrafts] = useState<Record<string, Mark>>({});
  const [defaultRating, setDefaultRating] = useState("8");

  // Marks saved on other devices arrive live and replace what the server had.
  const liveError = useLive(AttendanceUpdatedDocument, { lectureId }, (data) => {
    client.setQueryData<RegisterQuery>(key, (current) =>
      current ? { ...current, lectureAttendance: mergeMarks(current.lectureAttendance, data.attendanceUpdated.marks) } : current,
    );
  });

  const save = useMutation({
    mutationFn: () =>
      request(MarkAttendanceDocument, {
        lectureId,
        marks: Object.entries(drafts).map(([participantId, mark]) => ({
          participantId,
          present: mark.present,
          rating: mark.present ? (mark.rating ?? defaultRating) : null,
        })),
      }),
    onSuccess: (data) => {
      client.setQueryData<RegisterQuery>(key, (current) =>
        current ? { ...current, lectureAttendance: mergeMarks(current.lectureAttendance, data.markAttendance.marks) } : current,
      );
      setDrafts({});
      void client.invalidateQueries({ queryKey: ["courseAttendance", courseId] });
    },
  });

  return (
    <QueryState query={query}>
      {(data) => {
        const saved = new Map(data.lectureAttendance.map((mark) => [participantId(mark), mark]));
        const people = data.enrollments.nodes.map((row) => row.participant);
        const shown = (id: string): Mark | undefined =>
          drafts[id] ?? (saved.get(id) ? { present: saved.get(id)!.present, rating: saved.get(id)!.rating } : undefined);
        const setAll = (present: boolean) =>
          setDrafts(Object.fromEntries(people.map((person) => [person.id, { present, rating: present ? defaultRating : null }])));
        const dirty = Object.keys(drafts).length;
        return (
          <Stack>
            <Group justify="space-between">
              <div>
                <Title order={1} size="h2">
                  {data.lecture.course.name}
                </Title>
                <Text c="gray.7">
                  {formats.date(data.lecture.date)} · {formats.time(data.lecture.startTime)} · <StatusBadge status={data.lecture.status} />
                </Text>
              </div>
              <Anchor component={Link} to={`/attendance/${courseId}`}>
                {t("attendance.backToCourse")}
              </Anchor>
            </Group>
            {liveError && <ErrorAlert error={liveError} />}
            <Group>
              <Button size="lg" color="teal" onClick={() => setAll(true)}>
                {t("attendance.allPresent")}
              </Button>
              <Button size="lg" variant="default" onClick={() => setAll(false)}>
                {t("attendance.allAbsent")}
              </Button>
              <Select
                label={t("attendance.defaultRating")}
                data={RATINGS}
                value={defaultRating}
                onChange={(value) => setDefaultRating(value ?? "8")}
                allowDeselect={false}
                w={140}
              />
            </Group>
            {people.length === 0 ? (
              <Text c="gray.7">{t("attendance.nobody")}</Text>
            ) : (
              <Stack gap="xs">
                {people.map((person) => {
                  const mark = shown(person.id);
                  const name = participantName(person);
                  return (
                    <Paper key={person.id} withBorder p="sm" className="register-row" data-testid="register-row" data-participant={name}>
                      <Group justify="space-between" wrap="nowrap">
                        <div>
                          <Text fw={600} size="lg">
                            {name}
                          </Text>
                          <Text size="sm" c="gray.7" data-testid="mark-state">
                            {mark
                              ? mark.present
                                ? t("attendance.markedPresent")
                                : t("attendance.markedAbsent")
                              : t("attendance.notMarked")}
                            {drafts[person.id] ? ` · ${t("attendance.unsaved")}` : ""}
                          </Text>
                        </div>
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="lg"
                            color="teal"
                            variant={mark?.present ? "filled" : "default"}
                            aria-pressed={mark?.present === true}
                            aria-label={`${t("attendance.present")}: ${name}`}
                            onClick={() => setDrafts({ ...drafts, [person.id]: { present: true, rating: mark?.rating ?? defaultRating } })}
                          >
                            {t("attendance.present")}
                          </Button>
                          <Button
                            size="lg"
                            color="red"
                            variant={mark && !mark.present ? "filled" : "default"}
                            aria-pressed={mark?.present === false}
                            aria-label={`${t("attendance.absent")}: ${name}`}
                            onClick={() => setDrafts({ ...drafts, [person.id]: { present: false, rating: null } })}
                          >
                            {t("attendance.absent")}
                          </Button>
                        </Group>
                      </Group>
                    </Paper>
                  );
                })}
              </Stack>
            )}
            <ErrorAlert error={save.error} />
            <Group>
              <Button size="lg" onClick={() => save.mutate()} disabled={dirty === 0} loading={save.isPending}>
                {t("attendance.save", { count: dirty })}
              </Button>
              {save.isSuccess && dirty === 0 && (
                <Text role="status" c="teal.9">
                  {t("state.saved")}
                </Text>
              )}
            </Group>
          </Stack>
        );
      }}
    </QueryState>
  );
}

const participantId = (mark: MarkRowFragment) =>
  mark.participant.__typename === "Child" || mark.participant.__typename === "Student" ? mark.participant.id : "";

function mergeMarks(current: MarkRowFragment[], incoming: MarkRowFragment[]): MarkRowFragment[] {
  const byParticipant = new Map(current.map((mark) => [participantId(mark), mark]));
  for (const mark of incoming) byParticipant.set(participantId(mark), mark);
  return [...byParticipant.values()];
}
