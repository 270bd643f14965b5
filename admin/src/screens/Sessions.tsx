import { Badge, Button, Stack, Table, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { request } from "../api/client";
import { MySessionsDocument, RevokeSessionDocument } from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { ErrorAlert, QueryState } from "../ui/states";

/** My signed-in devices; sign out the others. */
export default function Sessions() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["mySessions"], queryFn: () => request(MySessionsDocument) });
  const revoke = useMutation({
    mutationFn: async (ids: string[]) => {
      for (const sessionId of ids) await request(RevokeSessionDocument, { sessionId });
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["mySessions"] }),
  });
  const others = (query.data?.mySessions ?? []).filter((session) => !session.current).map((session) => session.id);
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.sessions")}
      </Title>
      <ErrorAlert error={revoke.error} />
      <QueryState query={query} empty={(data) => data.mySessions.length === 0}>
        {(data) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("sessions.device")}</Table.Th>
                <Table.Th>{t("sessions.address")}</Table.Th>
                <Table.Th>{t("sessions.started")}</Table.Th>
                <Table.Th>{t("sessions.lastUsed")}</Table.Th>
                <Table.Th>{t("field.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.mySessions.map((session) => (
                <Table.Tr key={session.id}>
                  <Table.Td>
                    {session.deviceName ?? session.userAgent ?? "—"}{" "}
                    {session.current && <Badge variant="outline">{t("sessions.this")}</Badge>}
                  </Table.Td>
                  <Table.Td dir="ltr">{session.ipAddress ?? "—"}</Table.Td>
                  <Table.Td>{formats.dateTime(session.createdAt)}</Table.Td>
                  <Table.Td>{formats.dateTime(session.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    {!session.current && (
                      <Button size="compact-xs" variant="default" color="red" onClick={() => revoke.mutate([session.id])}>
                        {t("auth.signOut")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <Button
        variant="default"
        color="red"
        disabled={others.length === 0}
        loading={revoke.isPending}
        onClick={() => revoke.mutate(others)}
        w="fit-content"
      >
        {t("sessions.signOutOthers", { count: others.length })}
      </Button>
    </Stack>
  );
}
