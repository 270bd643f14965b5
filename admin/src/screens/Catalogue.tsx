import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Route, Routes, useLocation, useNavigate, useParams } from "react-router";
import { request } from "../api/client";
import {
  CancelLectureDocument,
  CourseDetailDocument,
  CoursesDocument,
  CreateCourseDocument,
  CreateSeasonDocument,
  CreateTagDocument,
  DeleteTagDocument,
  GenerateLecturesDocument,
  InstructorsDocument,
  RescheduleLectureDocument,
  SeasonsDocument,
  TagsDocument,
  UpdateCourseDocument,
  type CourseDetailQuery,
  type CreateCourseInput,
  type CourseOrderField,
  type CoursesQuery,
  type LectureRowFragment,
  type SeasonKind,
  type SortDirection,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n, type MessageKey } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { personName } from "../ui/format";
import { Section } from "../ui/Section";
import { cursorPaging, ErrorAlert, PagedState, QueryState } from "../ui/states";

const WEEKDAYS: MessageKey[] = ["weekday.0", "weekday.1", "weekday.2", "weekday.3", "weekday.4", "weekday.5", "weekday.6"];

export default function Catalogue() {
  const { t } = useI18n();
  const { isStaff } = useAccess();
  const location = useLocation();
  const navigate = useNavigate();
  const tab = location.pathname.startsWith("/catalogue/seasons")
    ? "seasons"
    : location.pathname.startsWith("/catalogue/tags")
      ? "tags"
      : "courses";
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.catalogue")}
      </Title>
      <Tabs value={tab} onChange={(value) => navigate(value === "courses" ? "/catalogue" : `/catalogue/${value}`)}>
        <Tabs.List>
          <Tabs.Tab value="courses">{t("catalogue.courses")}</Tabs.Tab>
          <Tabs.Tab value="seasons">{t("catalogue.seasons")}</Tabs.Tab>
          <Tabs.Tab value="tags">{t("catalogue.tags")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<CourseList />} />
        {isStaff && <Route path="courses/new" element={<CourseEditor />} />}
        <Route path="courses/:id" element={<CourseEditor />} />
        <Route path="seasons" element={<Seasons />} />
        <Route path="tags" element={<Tags />} />
      </Routes>
    </Stack>
  );
}

// ---------------------------------------------------------------- courses

function CourseList() {
  const { t } = useI18n();
  const { formats, isStaff, instructorOnly, instructorId } = useAccess();
  const [search, setSearch] = useState("");
  const [seasonId, setSeasonId] = useState<string | null>(null);
  const [tagId, setTagId] = useState<string | null>(null);
  const [published, setPublished] = useState("all");
  const [field, setField] = useState<CourseOrderField>("STARTS_ON");
  const [direction, setDirection] = useState<SortDirection>("ASC");
  const seasons = useQuery({ queryKey: ["seasons"], queryFn: () => request(SeasonsDocument) });
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => request(TagsDocument) });
  const filter = {
    search: search.trim() || undefined,
    seasonId: seasonId ?? undefined,
    tagIds: tagId ? [tagId] : undefined,
    isPublished: published === "all" ? undefined : published === "yes",
    // An instructor sees the courses they teach.
    instructorId: instructorOnly ? (instructorId ?? undefined) : undefined,
  };
  const page = (data: CoursesQuery) => data.courses;
  const query = useInfiniteQuery({
    queryKey: ["courses", filter, field, direction],
    queryFn: ({ pageParam }) => request(CoursesDocument, { filter, orderBy: { field, direction }, first: 20, after: pageParam }),
    ...cursorPaging(page),
  });
  return (
    <Stack>
      <Group align="end" wrap="wrap">
        <TextInput label={t("field.search")} value={search} onChange={(event) => setSearch(event.currentTarget.value)} w={220} />
        <Select
          label={t("field.season")}
          data={(seasons.data?.seasons ?? []).map((season) => ({ value: season.id, label: season.name }))}
          value={seasonId}
          onChange={setSeasonId}
          clearable
          w={180}
        />
        <Select
          label={t("field.tag")}
          data={(tags.data?.tags ?? []).map((tag) => ({ value: tag.id, label: tag.name }))}
          value={tagId}
          onChange={setTagId}
          clearable
          w={160}
        />
        {isStaff && (
          <Select
            label={t("field.published")}
            data={[
              { value: "all", label: t("filter.all") },
              { value: "yes", label: t("filter.published") },
              { value: "no", label: t("filter.unpublished") },
            ]}
            value={published}
            onChange={(value) => setPublished(value ?? "all")}
            allowDeselect={false}
            w={150}
          />
        )}
        <Select
          label={t("field.orderBy")}
          data={(["STARTS_ON", "NAME", "PRICE", "CREATED_AT"] as const).map((value) => ({ value, label: t(`order.${value}`) }))}
          value={field}
          onChange={(value) => value && setField(value as CourseOrderField)}
          allowDeselect={false}
          w={150}
        />
        <SegmentedControl
          aria-label={t("field.direction")}
          data={[
            { value: "ASC", label: t("order.asc") },
            { value: "DESC", label: t("order.desc") },
          ]}
          value={direction}
          onChange={(value) => setDirection(value as SortDirection)}
        />
        {isStaff && (
          <Button component={Link} to="/catalogue/courses/new">
            {t("catalogue.newCourse")}
          </Button>
        )}
      </Group>
      <PagedState query={query} page={(data) => page(data as CoursesQuery)} emptyText={t("catalogue.noCourses")}>
        {(nodes) => (
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.name")}</Table.Th>
                <Table.Th>{t("field.season")}</Table.Th>
                <Table.Th>{t("field.instructor")}</Table.Th>
                <Table.Th>{t("field.dates")}</Table.Th>
                <Table.Th>{t("field.price")}</Table.Th>
                <Table.Th>{t("field.places")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((course) => (
                <Table.Tr key={course.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/catalogue/courses/${course.id}`}>
                      {course.name}
                    </Anchor>
                    <Group gap={4}>
                      {course.tags.map((tag) => (
                        <Badge key={tag.id} size="xs" variant="outline" color="gray">
                          {tag.name}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{course.season?.name ?? "—"}</Table.Td>
                  <Table.Td>{personName(course.instructor?.user)}</Table.Td>
                  <Table.Td>
                    {formats.date(course.startsOn)} – {formats.date(course.endsOn)}
                  </Table.Td>
                  <Table.Td>{formats.money(course.price)}</Table.Td>
                  <Table.Td>
                    {course.enrolledCount} / {course.capacity}
                  </Table.Td>
                  <Table.Td>{course.isPublished ? t("filter.published") : t("filter.unpublished")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
    </Stack>
  );
}

interface Slot {
  weekday: string;
  startTime: string;
  durationMinutes: number;
}

type Course = CourseDetailQuery["course"];

function CourseEditor() {
  const { id } = useParams();
  const { t } = useI18n();
  const query = useQuery({ queryKey: ["course", id], queryFn: () => request(CourseDetailDocument, { id: id! }), enabled: Boolean(id) });
  if (!id) return <CourseForm />;
  return (
    <QueryState query={query}>
      {(data) => (
        <Stack>
          <Title order={2} size="h3">
            {data.course.name}
          </Title>
          <CourseForm course={data.course} />
          <Lectures course={data.course} />
          <Anchor component={Link} to={`/enrolment/course/${data.course.id}`}>
            {t("enrolment.perCourse")}
          </Anchor>
        </Stack>
      )}
    </QueryState>
  );
}

function CourseForm({ course }: { course?: Course }) {
  const { t } = useI18n();
  const { isStaff } = useAccess();
  const client = useQueryClient();
  const navigate = useNavigate();
  const seasons = useQuery({ queryKey: ["seasons"], queryFn: () => request(SeasonsDocument) });
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => request(TagsDocument) });
  const instructors = useQuery({ queryKey: ["instructors"], queryFn: () => request(InstructorsDocument, {}), enabled: isStaff });
  const [form, setForm] = useState({
    name: course?.name ?? "",
    description: course?.description ?? "",
    seasonId: course?.season?.id ?? null,
    instructorId: course?.instructor?.id ?? null,
    tagIds: course?.tags.map((tag) => tag.id) ?? [],
    startsOn: course?.startsOn ?? "",
    endsOn: course?.endsOn ?? "",
    price: course?.price.amount ?? "0.00",
    capacity: course?.capacity ?? 10,
    isPublished: course?.isPublished ?? false,
  });
  const [slots, setSlots] = useState<Slot[]>(
    course?.schedule.map((slot) => ({
      weekday: String(slot.weekday),
      startTime: slot.startTime.slice(0, 5),
      durationMinutes: slot.durationMinutes,
    })) ?? [],
  );
  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => setForm((current) => ({ ...current, [key]: value }));
  const save = useMutation({
    mutationFn: async () => {
      const input: CreateCourseInput = {
        ...form,
        seasonId: form.seasonId,
        instructorId: form.instructorId,
        price: String(form.price),
        schedule: slots.map((slot) => ({
          weekday: Number(slot.weekday),
          startTime: `${slot.startTime}:00`,
          durationMinutes: slot.durationMinutes,
        })),
      };
      if (course) return (await request(UpdateCourseDocument, { id: course.id, input })).updateCourse.id;
      return (await request(CreateCourseDocument, { input })).createCourse.id;
    },
    onSuccess: async (id) => {
      await client.invalidateQueries({ queryKey: ["courses"] });
      await client.invalidateQueries({ queryKey: ["course", id] });
      if (!course) navigate(`/catalogue/courses/${id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const readOnly = !isStaff;
  return (
    <Section title={course ? t("catalogue.editCourse") : t("catalogue.newCourse")}>
      <form onSubmit={submit}>
        <fieldset disabled={readOnly || save.isPending} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <TextInput label={t("field.name")} required value={form.name} onChange={(event) => set("name", event.currentTarget.value)} />
              <Select
                label={t("field.season")}
                data={(seasons.data?.seasons ?? []).map((season) => ({ value: season.id, label: season.name }))}
                value={form.seasonId}
                onChange={(value) => set("seasonId", value)}
                clearable
              />
              <Select
                label={t("field.instructor")}
                data={(instructors.data?.instructors.nodes ?? []).map((instructor) => ({
                  value: instructor.id,
                  label: personName(instructor.user),
                }))}
                value={form.instructorId}
                onChange={(value) => set("instructorId", value)}
                clearable
              />
              <MultiSelect
                label={t("catalogue.tags")}
                data={(tags.data?.tags ?? []).map((tag) => ({ value: tag.id, label: tag.name }))}
                value={form.tagIds}
                onChange={(value) => set("tagIds", value)}
              />
              <TextInput
                type="date"
                label={t("field.startsOn")}
                required
                value={form.startsOn}
                onChange={(event) => set("startsOn", event.currentTarget.value)}
              />
              <TextInput
                type="date"
                label={t("field.endsOn")}
                required
                value={form.endsOn}
                onChange={(event) => set("endsOn", event.currentTarget.value)}
              />
              <TextInput
                label={t("field.price")}
                inputMode="decimal"
                value={form.price}
                onChange={(event) => set("price", event.currentTarget.value)}
              />
              <NumberInput
                label={t("field.capacity")}
                min={1}
                value={form.capacity}
                onChange={(value) => set("capacity", Number(value) || 1)}
              />
            </SimpleGrid>
            <Textarea
              label={t("field.description")}
              value={form.description}
              onChange={(event) => set("description", event.currentTarget.value)}
              autosize
              minRows={2}
            />
            <Switch
              label={t("field.published")}
              checked={form.isPublished}
              onChange={(event) => set("isPublished", event.currentTarget.checked)}
            />
            <Title order={3} size="h5">
              {t("catalogue.schedule")}
            </Title>
            {slots.length === 0 && (
              <Text size="sm" c="gray.7">
                {t("catalogue.noSlots")}
              </Text>
            )}
            {slots.map((slot, index) => (
              <Group key={index} align="end">
                <Select
                  label={t("field.weekday")}
                  data={WEEKDAYS.map((key, day) => ({ value: String(day), label: t(key) }))}
                  value={slot.weekday}
                  allowDeselect={false}
                  onChange={(value) => setSlots(slots.map((s, i) => (i === index ? { ...s, weekday: value ?? "0" } : s)))}
                  w={150}
                />
                <TextInput
                  type="time"
                  label={t("field.time")}
                  value={slot.startTime}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    setSlots(slots.map((s, i) => (i === index ? { ...s, startTime: value } : s)));
                  }}
                />
                <NumberInput
                  label={t("field.minutes")}
                  min={15}
                  max={600}
                  value={slot.durationMinutes}
                  onChange={(value) => setSlots(slots.map((s, i) => (i === index ? { ...s, durationMinutes: Number(value) || 60 } : s)))}
                  w={110}
                />
                <ActionIcon
                  variant="default"
                  size="lg"
                  aria-label={t("catalogue.removeSlot")}
                  onClick={() => setSlots(slots.filter((_, i) => i !== index))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {!readOnly && (
              <Group>
                <Button variant="default" onClick={() => setSlots([...slots, { weekday: "0", startTime: "16:00", durationMinutes: 60 }])}>
                  {t("catalogue.addSlot")}
                </Button>
                <Button type="submit" loading={save.isPending}>
                  {t("action.save")}
                </Button>
              </Group>
            )}
            {save.isSuccess && (
              <Text size="sm" c="teal.9" role="status">
                {t("state.saved")}
              </Text>
            )}
            <ErrorAlert error={save.error} />
          </Stack>
        </fieldset>
      </form>
    </Section>
  );
}

function Lectures({ course }: { course: Course }) {
  const { t } = useI18n();
  const { formats, isStaff } = useAccess();
  const client = useQueryClient();
  const [editing, setEditing] = useState<{ lecture: LectureRowFragment; mode: "reschedule" | "cancel" } | null>(null);
  const generate = useMutation({
    mutationFn: () => request(GenerateLecturesDocument, { courseId: course.id }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["course", course.id] }),
  });
  return (
    <Section
      title={t("catalogue.lectures", { count: course.lectures.totalCount })}
      actions={
        isStaff && (
          <Button variant="light" loading={generate.isPending} onClick={() => generate.mutate()}>
            {t("catalogue.generate")}
          </Button>
        )
      }
    >
      {generate.data && (
        <Text size="sm" role="status" mb="sm">
          {t("catalogue.generated", { count: generate.data.generateLectures.created })}
        </Text>
      )}
      <ErrorAlert error={generate.error} />
      {course.lectures.nodes.length === 0 ? (
        <Text c="gray.7">{t("catalogue.noLectures")}</Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("field.date")}</Table.Th>
              <Table.Th>{t("field.time")}</Table.Th>
              <Table.Th>{t("field.status")}</Table.Th>
              <Table.Th>{t("field.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {course.lectures.nodes.map((lecture) => (
              <Table.Tr key={lecture.id}>
                <Table.Td>{formats.date(lecture.date)}</Table.Td>
                <Table.Td>{formats.time(lecture.startTime)}</Table.Td>
                <Table.Td>
                  <StatusBadge status={lecture.status} />
                  {lecture.cancelledReason && (
                    <Text size="xs" c="gray.7">
                      {lecture.cancelledReason}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Anchor component={Link} to={`/attendance/${course.id}/${lecture.id}`} size="sm">
                      {t("attendance.register")}
                    </Anchor>
                    {lecture.status === "SCHEDULED" && (
                      <>
                        <Button size="compact-xs" variant="default" onClick={() => setEditing({ lecture, mode: "reschedule" })}>
                          {t("catalogue.reschedule")}
                        </Button>
                        <Button size="compact-xs" variant="default" color="red" onClick={() => setEditing({ lecture, mode: "cancel" })}>
                          {t("action.cancel")}
                        </Button>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing && <LectureChange {...editing} courseId={course.id} onClose={() => setEditing(null)} />}
    </Section>
  );
}

function LectureChange({
  lecture,
  mode,
  courseId,
  onClose,
}: {
  lecture: LectureRowFragment;
  mode: "reschedule" | "cancel";
  courseId: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [date, setDate] = useState(lecture.date);
  const [time, setTime] = useState(lecture.startTime.slice(0, 5));
  const [reason, setReason] = useState("");
  const change = useMutation({
    mutationFn: async () => {
      if (mode === "reschedule") await request(RescheduleLectureDocument, { id: lecture.id, input: { date, startTime: `${time}:00` } });
      else await request(CancelLectureDocument, { id: lecture.id, reason: reason || null });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["course", courseId] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={mode === "reschedule" ? t("catalogue.reschedule") : t("catalogue.cancelLecture")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          change.mutate();
        }}
      >
        <Stack>
          {mode === "reschedule" ? (
            <>
              <TextInput type="date" label={t("field.date")} value={date} onChange={(event) => setDate(event.currentTarget.value)} />
              <TextInput type="time" label={t("field.time")} value={time} onChange={(event) => setTime(event.currentTarget.value)} />
            </>
          ) : (
            <Textarea label={t("field.reason")} value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
          )}
          <ErrorAlert error={change.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("action.close")}
            </Button>
            <Button type="submit" color={mode === "cancel" ? "red" : undefined} loading={change.isPending}>
              {t("action.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// ---------------------------------------------------------------- seasons and tags

const SEASON_KINDS: SeasonKind[] = ["SCHOOL", "SUMMER_CAMP", "RAMADAN", "EID", "OTHER"];

function Seasons() {
  const { t } = useI18n();
  const { formats, isStaff } = useAccess();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["seasons"], queryFn: () => request(SeasonsDocument) });
  const [form, setForm] = useState({ name: "", kind: "SCHOOL" as SeasonKind, startsOn: "", endsOn: "", isActive: true });
  const create = useMutation({
    mutationFn: () => request(CreateSeasonDocument, { input: form }),
    onSuccess: () => {
      setForm({ name: "", kind: "SCHOOL", startsOn: "", endsOn: "", isActive: true });
      return client.invalidateQueries({ queryKey: ["seasons"] });
    },
  });
  return (
    <Stack>
      <QueryState query={query} empty={(data) => data.seasons.length === 0} emptyText={t("catalogue.noSeasons")}>
        {(data) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.name")}</Table.Th>
                <Table.Th>{t("field.kind")}</Table.Th>
                <Table.Th>{t("field.dates")}</Table.Th>
                <Table.Th>{t("field.active")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.seasons.map((season) => (
                <Table.Tr key={season.id}>
                  <Table.Td>{season.name}</Table.Td>
                  <Table.Td>{t(`season.${season.kind}`)}</Table.Td>
                  <Table.Td>
                    {formats.date(season.startsOn)} – {formats.date(season.endsOn)}
                  </Table.Td>
                  <Table.Td>{season.isActive ? t("answer.yes") : t("answer.no")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      {isStaff && (
        <Section title={t("catalogue.newSeason")}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              create.mutate();
            }}
          >
            <Group align="end">
              <TextInput
                label={t("field.name")}
                required
                value={form.name}
                onChange={(event) => setForm({ ...form, name: event.currentTarget.value })}
              />
              <Select
                label={t("field.kind")}
                data={SEASON_KINDS.map((kind) => ({ value: kind, label: t(`season.${kind}`) }))}
                value={form.kind}
                allowDeselect={false}
                onChange={(value) => setForm({ ...form, kind: (value ?? "SCHOOL") as SeasonKind })}
              />
              <TextInput
                type="date"
                label={t("field.startsOn")}
                value={form.startsOn}
                onChange={(event) => setForm({ ...form, startsOn: event.currentTarget.value })}
              />
              <TextInput
                type="date"
                label={t("field.endsOn")}
                value={form.endsOn}
                onChange={(event) => setForm({ ...form, endsOn: event.currentTarget.value })}
              />
              <Checkbox
                label={t("field.active")}
                checked={form.isActive}
                onChange={(event) => setForm({ ...form, isActive: event.currentTarget.checked })}
              />
              <Button type="submit" loading={create.isPending}>
                {t("action.add")}
              </Button>
            </Group>
            <ErrorAlert error={create.error} />
          </form>
        </Section>
      )}
    </Stack>
  );
}

function Tags() {
  const { t } = useI18n();
  const { isStaff } = useAccess();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["tags"], queryFn: () => request(TagsDocument) });
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => request(CreateTagDocument, { name }),
    onSuccess: () => {
      setName("");
      return client.invalidateQueries({ queryKey: ["tags"] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => request(DeleteTagDocument, { id }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["tags"] }),
  });
  return (
    <Stack>
      <QueryState query={query} empty={(data) => data.tags.length === 0} emptyText={t("catalogue.noTags")}>
        {(data) => (
          <Group>
            {data.tags.map((tag) => (
              <Badge
                key={tag.id}
                size="lg"
                variant="outline"
                rightSection={
                  isStaff && (
                    <ActionIcon
                      size="xs"
                      variant="transparent"
                      color="red"
                      aria-label={t("catalogue.deleteTag", { name: tag.name })}
                      onClick={() => remove.mutate(tag.id)}
                    >
                      ×
                    </ActionIcon>
                  )
                }
              >
                {tag.name}
              </Badge>
            ))}
          </Group>
        )}
      </QueryState>
      <ErrorAlert error={remove.error} />
      {isStaff && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <Group align="end">
            <TextInput label={t("catalogue.newTag")} value={name} onChange={(event) => setName(event.currentTarget.value)} required />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              {t("action.add")}
            </Button>
          </Group>
          <ErrorAlert error={create.error} />
        </form>
      )}
    </Stack>
  );
}
