import {
  Anchor,
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Route, Routes, useParams } from "react-router";
import { request } from "../api/client";
import { useLive } from "../api/live";
import {
  CancelEventDocument,
  CreateEventDocument,
  EventDetailDocument,
  EventsDocument,
  EventUpdatedDocument,
  PublishEventDocument,
  type EventRowFragment,
  type EventsQuery,
  type EventStatus,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { personName } from "../ui/format";
import { Section } from "../ui/Section";
import { cursorPaging, ErrorAlert, PagedState, QueryState } from "../ui/states";

export default function Events() {
  return (
    <Routes>
      <Route index element={<EventList />} />
      <Route path=":id" element={<EventDetail />} />
    </Routes>
  );
}

/** Any change to the tenant's events refreshes the lists and details on screen. */
function useLiveEvents(eventId?: string) {
  const client = useQueryClient();
  return useLive(EventUpdatedDocument, { eventId: eventId ?? null }, () => {
    void client.invalidateQueries({ queryKey: ["events"] });
    void client.invalidateQueries({ queryKey: ["event"] });
  });
}

function EventList() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const [status, setStatus] = useState<EventStatus | null>(null);
  const page = (data: EventsQuery) => data.events;
  const query = useInfiniteQuery({
    queryKey: ["events", status],
    queryFn: ({ pageParam }) => request(EventsDocument, { status, after: pageParam }),
    ...cursorPaging(page),
  });
  useLiveEvents();
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.events")}
      </Title>
      <Select
        label={t("field.status")}
        data={(["DRAFT", "PUBLISHED", "CANCELLED"] as const).map((value) => ({ value, label: t(`status.${value}`) }))}
        value={status}
        onChange={(value) => setStatus(value as EventStatus | null)}
        clearable
        w={200}
      />
      <PagedState query={query} page={(data) => page(data as EventsQuery)} emptyText={t("events.none")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.title")}</Table.Th>
                <Table.Th>{t("field.startsAt")}</Table.Th>
                <Table.Th>{t("field.location")}</Table.Th>
                <Table.Th>{t("field.places")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((event) => (
                <Table.Tr key={event.id} data-testid="event-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/events/${event.id}`}>
                      {event.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{formats.dateTime(event.startsAt)}</Table.Td>
                  <Table.Td>{event.location || "—"}</Table.Td>
                  <Table.Td>
                    {event.confirmedCount} / {event.maxParticipants}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={event.status} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
      <CreateEvent />
    </Stack>
  );
}

function CreateEvent() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const empty = { title: "", description: "", location: "", startsAt: "", endsAt: "", maxParticipants: 20, waitlistEnabled: true };
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState<EventRowFragment | null>(null);
  const create = useMutation({
    mutationFn: () =>
      request(CreateEventDocument, {
        input: {
          title: form.title,
          description: form.description || null,
          location: form.location || null,
          // Typed in the tenant's local time.
          startsAt: formats.toInstant(form.startsAt),
          endsAt: formats.toInstant(form.endsAt),
          maxParticipants: form.maxParticipants,
          waitlistEnabled: form.waitlistEnabled,
        },
      }),
    onSuccess: (data) => {
      setCreated(data.createEvent);
      setForm(empty);
      return client.invalidateQueries({ queryKey: ["events"] });
    },
  });
  return (
    <Section title={t("events.create")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput
              label={t("field.title")}
              required
              value={form.title}
              onChange={(event) => setForm({ ...form, title: event.currentTarget.value })}
            />
            <TextInput
              label={t("field.location")}
              value={form.location}
              onChange={(event) => setForm({ ...form, location: event.currentTarget.value })}
            />
            <TextInput
              type="datetime-local"
              label={t("field.startsAt")}
              required
              value={form.startsAt}
              onChange={(event) => setForm({ ...form, startsAt: event.currentTarget.value })}
            />
            <TextInput
              type="datetime-local"
              label={t("field.endsAt")}
              required
              value={form.endsAt}
              onChange={(event) => setForm({ ...form, endsAt: event.currentTarget.value })}
            />
            <NumberInput
              label={t("field.places")}
              min={1}
              value={form.maxParticipants}
              onChange={(value) => setForm({ ...form, maxParticipants: Number(value) || 1 })}
            />
            <Switch
              label={t("events.waitlist")}
              checked={form.waitlistEnabled}
              onChange={(event) => setForm({ ...form, waitlistEnabled: event.currentTarget.checked })}
              mt="lg"
            />
          </SimpleGrid>
          <Textarea
            label={t("field.description")}
            value={form.description}
            onChange={(event) => setForm({ ...form, description: event.currentTarget.value })}
          />
          <ErrorAlert error={create.error} />
          {created && (
            <Text role="status">
              {t("events.createdDraft")}{" "}
              <Anchor component={Link} to={`/events/${created.id}`}>
                {created.title}
              </Anchor>
            </Text>
          )}
          <Group>
            <Button type="submit" loading={create.isPending} disabled={!form.title || !form.startsAt || !form.endsAt}>
              {t("events.createDraft")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function EventDetail() {
  const { id } = useParams() as { id: string };
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["event", id], queryFn: () => request(EventDetailDocument, { id }) });
  const liveError = useLiveEvents(id);
  const [cancelling, setCancelling] = useState(false);
  const publish = useMutation({
    mutationFn: () => request(PublishEventDocument, { id }),
    onSuccess: () =>
      Promise.all([client.invalidateQueries({ queryKey: ["event", id] }), client.invalidateQueries({ queryKey: ["events"] })]),
  });
  return (
    <QueryState query={query}>
      {({ event }) => (
        <Stack>
          <Group justify="space-between">
            <Title order={1} size="h2">
              {event.title}
            </Title>
            <Anchor component={Link} to="/events">
              {t("events.back")}
            </Anchor>
          </Group>
          <Group>
            <StatusBadge status={event.status} />
            <Text>
              {formats.dateTime(event.startsAt)} – {formats.dateTime(event.endsAt)}
            </Text>
            <Text>{event.location}</Text>
          </Group>
          <Text data-testid="event-places">
            {t("events.places", { confirmed: event.confirmedCount, max: event.maxParticipants, left: event.spotsLeft })}
          </Text>
          {event.description && <Text>{event.description}</Text>}
          {liveError && <ErrorAlert error={liveError} />}
          <Group>
            {event.status === "DRAFT" && (
              <Button onClick={() => publish.mutate()} loading={publish.isPending}>
                {t("events.publish")}
              </Button>
            )}
            {event.status !== "CANCELLED" && (
              <Button variant="default" color="red" onClick={() => setCancelling(true)}>
                {t("events.cancel")}
              </Button>
            )}
          </Group>
          <ErrorAlert error={publish.error} />
          <Section title={t("events.registrations", { count: event.registrations?.totalCount ?? 0 })}>
            {!event.registrations || event.registrations.nodes.length === 0 ? (
              <Text c="gray.7">{t("events.noRegistrations")}</Text>
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("field.name")}</Table.Th>
                    <Table.Th>{t("field.registered")}</Table.Th>
                    <Table.Th>{t("field.status")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {event.registrations.nodes.map((row) => (
                    <Table.Tr key={row.id}>
                      <Table.Td>{personName(row.user)}</Table.Td>
                      <Table.Td>{formats.dateTime(row.registeredAt)}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={row.status} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Section>
          {cancelling && <CancelEvent id={id} onClose={() => setCancelling(false)} />}
        </Stack>
      )}
    </QueryState>
  );
}

function CancelEvent({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const cancel = useMutation({
    mutationFn: () => request(CancelEventDocument, { id, reason }),
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: ["event", id] }), client.invalidateQueries({ queryKey: ["events"] })]);
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("events.cancel")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          cancel.mutate();
        }}
      >
        <Stack>
          <Textarea label={t("field.reason")} required value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
          <ErrorAlert error={cancel.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("action.close")}
            </Button>
            <Button type="submit" color="red" loading={cancel.isPending} disabled={!reason.trim()}>
              {t("action.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
