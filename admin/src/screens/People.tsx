import { Button, Group, Modal, MultiSelect, Select, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Route, Routes, useLocation, useNavigate } from "react-router";
import { request } from "../api/client";
import {
  AddChildDocument,
  InstructorsDocument,
  InvitationsDocument,
  InviteMemberDocument,
  MembersDocument,
  RevokeInvitationDocument,
  SetMemberRolesDocument,
  type Gender,
  type InvitationsQuery,
  type MembersQuery,
  type Role,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { personName } from "../ui/format";
import { Section } from "../ui/Section";
import { cursorPaging, ErrorAlert, PagedState, QueryState } from "../ui/states";

const ROLES: Role[] = ["ADMIN", "STAFF", "INSTRUCTOR", "PARENT", "STUDENT", "MEMBER"];

export default function People() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const tab = location.pathname.split("/")[2] || "members";
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.people")}
      </Title>
      <Tabs value={tab} onChange={(value) => navigate(value === "members" ? "/people" : `/people/${value}`)}>
        <Tabs.List>
          <Tabs.Tab value="members">{t("people.members")}</Tabs.Tab>
          <Tabs.Tab value="invitations">{t("people.invitations")}</Tabs.Tab>
          <Tabs.Tab value="families">{t("people.families")}</Tabs.Tab>
          <Tabs.Tab value="instructors">{t("people.instructors")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Members />} />
        <Route path="invitations" element={<Invitations />} />
        <Route path="families" element={<Families />} />
        <Route path="instructors" element={<Instructors />} />
      </Routes>
    </Stack>
  );
}

type Member = MembersQuery["members"]["nodes"][number];

function Members() {
  const { t } = useI18n();
  const { isAdmin } = useAccess();
  const [role, setRole] = useState<Role | null>(null);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Member | null>(null);
  const page = (data: MembersQuery) => data.members;
  const query = useInfiniteQuery({
    queryKey: ["members", role, search],
    queryFn: ({ pageParam }) => request(MembersDocument, { role, search: search.trim() || null, after: pageParam }),
    ...cursorPaging(page),
  });
  return (
    <Stack>
      <Group align="end">
        <TextInput label={t("field.search")} value={search} onChange={(event) => setSearch(event.currentTarget.value)} />
        <Select
          label={t("field.role")}
          data={ROLES.map((value) => ({ value, label: t(`role.${value}`) }))}
          value={role}
          onChange={(value) => setRole(value as Role | null)}
          clearable
        />
      </Group>
      <PagedState query={query} page={(data) => page(data as MembersQuery)} emptyText={t("people.noMembers")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.name")}</Table.Th>
                <Table.Th>{t("field.contact")}</Table.Th>
                <Table.Th>{t("field.roles")}</Table.Th>
                {isAdmin && <Table.Th>{t("field.actions")}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((member) => (
                <Table.Tr key={member.id}>
                  <Table.Td>{personName(member.user)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{member.user.phoneNumber1 ?? ""}</Text>
                    <Text size="sm">{member.user.email ?? ""}</Text>
                  </Table.Td>
                  <Table.Td>{member.roles.map((value) => t(`role.${value}`)).join("، ")}</Table.Td>
                  {isAdmin && (
                    <Table.Td>
                      <Button size="compact-xs" variant="default" onClick={() => setEditing(member)}>
                        {t("people.changeRoles")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
      {editing && <Roles member={editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function Roles({ member, onClose }: { member: Member; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [roles, setRoles] = useState<string[]>(member.roles);
  const save = useMutation({
    mutationFn: () => request(SetMemberRolesDocument, { membershipId: member.id, roles: roles as Role[] }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["members"] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("people.rolesOf", { name: personName(member.user) })}>
      <Stack>
        <MultiSelect
          label={t("field.roles")}
          data={ROLES.map((value) => ({ value, label: t(`role.${value}`) }))}
          value={roles}
          onChange={setRoles}
        />
        <ErrorAlert error={save.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("action.close")}
          </Button>
          <Button onClick={() => save.mutate()} loading={save.isPending}>
            {t("action.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Invitations() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const page = (data: InvitationsQuery) => data.invitations;
  const query = useInfiniteQuery({
    queryKey: ["invitations"],
    queryFn: ({ pageParam }) => request(InvitationsDocument, { after: pageParam }),
    ...cursorPaging(page),
  });
  const [form, setForm] = useState({
    firstName: "",
    lastName: "",
    phoneNumber: "",
    email: "",
    temporaryPassword: "",
    roles: ["PARENT"] as string[],
  });
  const invite = useMutation({
    mutationFn: () =>
      request(InviteMemberDocument, {
        input: {
          firstName: form.firstName,
          lastName: form.lastName || null,
          phoneNumber: form.phoneNumber.trim() || null,
          email: form.email.trim() || null,
          temporaryPassword: form.temporaryPassword,
          roles: form.roles as Role[],
        },
      }),
    onSuccess: () => {
      setForm({ firstName: "", lastName: "", phoneNumber: "", email: "", temporaryPassword: "", roles: ["PARENT"] });
      return client.invalidateQueries({ queryKey: ["invitations"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => request(RevokeInvitationDocument, { id }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["invitations"] }),
  });
  return (
    <Stack>
      <PagedState query={query} page={(data) => page(data as InvitationsQuery)} emptyText={t("people.noInvitations")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.name")}</Table.Th>
                <Table.Th>{t("field.contact")}</Table.Th>
                <Table.Th>{t("field.roles")}</Table.Th>
                <Table.Th>{t("field.expires")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
                <Table.Th>{t("field.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>{personName(row)}</Table.Td>
                  <Table.Td>{row.phoneNumber ?? row.email}</Table.Td>
                  <Table.Td>{row.roles.map((value) => t(`role.${value}`)).join("، ")}</Table.Td>
                  <Table.Td>{formats.dateTime(row.expiresAt)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={row.status} />
                  </Table.Td>
                  <Table.Td>
                    {row.status === "PENDING" && (
                      <Button size="compact-xs" variant="default" color="red" onClick={() => revoke.mutate(row.id)}>
                        {t("people.revoke")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
      <ErrorAlert error={revoke.error} />
      <Section title={t("people.invite")}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            invite.mutate();
          }}
        >
          <Stack>
            <SimpleGrid cols={{ base: 1, md: 3 }}>
              <TextInput
                label={t("field.firstName")}
                required
                value={form.firstName}
                onChange={(event) => setForm({ ...form, firstName: event.currentTarget.value })}
              />
              <TextInput
                label={t("field.lastName")}
                value={form.lastName}
                onChange={(event) => setForm({ ...form, lastName: event.currentTarget.value })}
              />
              <MultiSelect
                label={t("field.roles")}
                data={ROLES.map((value) => ({ value, label: t(`role.${value}`) }))}
                value={form.roles}
                onChange={(roles) => setForm({ ...form, roles })}
              />
              <TextInput
                label={t("field.phone")}
                placeholder="+20…"
                value={form.phoneNumber}
                onChange={(event) => setForm({ ...form, phoneNumber: event.currentTarget.value })}
              />
              <TextInput
                label={t("field.email")}
                type="email"
                value={form.email}
                onChange={(event) => setForm({ ...form, email: event.currentTarget.value })}
              />
              <TextInput
                label={t("people.temporaryPassword")}
                required
                value={form.temporaryPassword}
                onChange={(event) => setForm({ ...form, temporaryPassword: event.currentTarget.value })}
              />
            </SimpleGrid>
            <ErrorAlert error={invite.error} />
            <Group>
              <Button type="submit" loading={invite.isPending}>
                {t("people.sendInvitation")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Section>
    </Stack>
  );
}

function Families() {
  const { t, language } = useI18n();
  const { formats } = useAccess();
  const [adding, setAdding] = useState<{ parentId: string; name: string } | null>(null);
  const page = (data: MembersQuery) => data.members;
  const query = useInfiniteQuery({
    queryKey: ["members", "PARENT", "families"],
    queryFn: ({ pageParam }) => request(MembersDocument, { role: "PARENT", after: pageParam }),
    ...cursorPaging(page),
  });
  return (
    <Stack>
      <PagedState query={query} page={(data) => page(data as MembersQuery)} emptyText={t("people.noFamilies")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("people.guardian")}</Table.Th>
                <Table.Th>{t("people.children")}</Table.Th>
                <Table.Th>{t("field.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((member) => (
                <Table.Tr key={member.id}>
                  <Table.Td>
                    {personName(member.user)}
                    <Text size="xs" c="gray.7">
                      {member.user.phoneNumber1 ?? member.user.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {(member.user.parentProfile?.children ?? []).length === 0
                      ? "—"
                      : member.user.parentProfile!.children.map((child) => (
                          <Text key={child.id} size="sm">
                            {personName(child)} {child.dateOfBirth && `· ${formats.date(child.dateOfBirth)}`}
                          </Text>
                        ))}
                  </Table.Td>
                  <Table.Td>
                    {member.user.parentProfile && (
                      <Button
                        size="compact-xs"
                        variant="default"
                        onClick={() => setAdding({ parentId: member.user.parentProfile!.id, name: personName(member.user) })}
                      >
                        {t("people.addChild")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
      {adding && <AddChild key={language} {...adding} onClose={() => setAdding(null)} />}
    </Stack>
  );
}

function AddChild({ parentId, name, onClose }: { parentId: string; name: string; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState({ firstName: "", lastName: "", dateOfBirth: "", gender: "UNSPECIFIED" as Gender });
  const add = useMutation({
    mutationFn: () =>
      request(AddChildDocument, {
        input: {
          parentId,
          firstName: form.firstName,
          lastName: form.lastName || null,
          dateOfBirth: form.dateOfBirth || null,
          gender: form.gender,
        },
      }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ["members"] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("people.addChildTo", { name })}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={t("field.firstName")}
            required
            value={form.firstName}
            onChange={(event) => setForm({ ...form, firstName: event.currentTarget.value })}
          />
          <TextInput
            label={t("field.lastName")}
            value={form.lastName}
            onChange={(event) => setForm({ ...form, lastName: event.currentTarget.value })}
          />
          <TextInput
            type="date"
            label={t("field.dateOfBirth")}
            value={form.dateOfBirth}
            onChange={(event) => setForm({ ...form, dateOfBirth: event.currentTarget.value })}
          />
          <Select
            label={t("field.gender")}
            data={(["FEMALE", "MALE", "UNSPECIFIED"] as const).map((value) => ({ value, label: t(`gender.${value}`) }))}
            value={form.gender}
            allowDeselect={false}
            onChange={(value) => setForm({ ...form, gender: (value ?? "UNSPECIFIED") as Gender })}
          />
          <ErrorAlert error={add.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("action.close")}
            </Button>
            <Button type="submit" loading={add.isPending}>
              {t("action.add")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Instructors() {
  const { t } = useI18n();
  const query = useQuery({ queryKey: ["instructors"], queryFn: () => request(InstructorsDocument, {}) });
  return (
    <QueryState query={query} empty={(data) => data.instructors.nodes.length === 0} emptyText={t("people.noInstructors")}>
      {(data) => (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("field.name")}</Table.Th>
              <Table.Th>{t("people.specialty")}</Table.Th>
              <Table.Th>{t("people.rating")}</Table.Th>
              <Table.Th>{t("people.ratings")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.instructors.nodes.map((instructor) => (
              <Table.Tr key={instructor.id}>
                <Table.Td>{personName(instructor.user)}</Table.Td>
                <Table.Td>{instructor.specialty ?? "—"}</Table.Td>
                <Table.Td>{instructor.averageRating ? `${Number(instructor.averageRating).toFixed(1)} / 10` : "—"}</Table.Td>
                <Table.Td>{instructor.ratingCount}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </QueryState>
  );
}
