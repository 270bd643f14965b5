import { Button, Group, Modal, Select, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Route, Routes, useLocation, useNavigate } from "react-router";
import { request } from "../api/client";
import {
  ApproveRefundDocument,
  EnrollmentsDocument,
  PaymentsDocument,
  RecordCashPaymentDocument,
  RefundRequestsDocument,
  RejectRefundDocument,
  RequestRefundDocument,
  type PaymentRowFragment,
  type PaymentsQuery,
  type PaymentStatus,
  type RefundRequestsQuery,
  type RefundStatus,
} from "../api/sdk";
import { useAccess } from "../app/auth";
import { useI18n } from "../i18n";
import { StatusBadge } from "../ui/badges";
import { newKey, participantName, personName } from "../ui/format";
import { Section } from "../ui/Section";
import { cursorPaging, ErrorAlert, PagedState } from "../ui/states";
import { useCourseOptions } from "./Enrolment";

export default function Money() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const tab = location.pathname.startsWith("/money/refunds")
    ? "refunds"
    : location.pathname.startsWith("/money/cash")
      ? "cash"
      : "payments";
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("nav.money")}
      </Title>
      <Tabs value={tab} onChange={(value) => navigate(value === "payments" ? "/money" : `/money/${value}`)}>
        <Tabs.List>
          <Tabs.Tab value="payments">{t("money.payments")}</Tabs.Tab>
          <Tabs.Tab value="refunds">{t("money.refunds")}</Tabs.Tab>
          <Tabs.Tab value="cash">{t("money.recordCash")}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Payments />} />
        <Route path="refunds" element={<Refunds />} />
        <Route path="cash" element={<RecordCash />} />
      </Routes>
    </Stack>
  );
}

const invalidateMoney = (client: ReturnType<typeof useQueryClient>) =>
  Promise.all(["payments", "refundRequests", "enrollments"].map((name) => client.invalidateQueries({ queryKey: [name] })));

function Payments() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const [status, setStatus] = useState<PaymentStatus | null>(null);
  const [refunding, setRefunding] = useState<PaymentRowFragment | null>(null);
  const page = (data: PaymentsQuery) => data.payments;
  const query = useInfiniteQuery({
    queryKey: ["payments", status],
    queryFn: ({ pageParam }) => request(PaymentsDocument, { status, after: pageParam }),
    ...cursorPaging(page),
  });
  return (
    <Stack>
      <Select
        label={t("field.status")}
        data={(["SUCCEEDED", "PARTIALLY_REFUNDED", "REFUNDED", "PENDING", "FAILED"] as const).map((value) => ({
          value,
          label: t(`status.${value}`),
        }))}
        value={status}
        onChange={(value) => setStatus(value as PaymentStatus | null)}
        clearable
        w={220}
      />
      <PagedState query={query} page={(data) => page(data as PaymentsQuery)} emptyText={t("money.noPayments")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.participant")}</Table.Th>
                <Table.Th>{t("field.course")}</Table.Th>
                <Table.Th>{t("field.amount")}</Table.Th>
                <Table.Th>{t("money.refunded")}</Table.Th>
                <Table.Th>{t("field.provider")}</Table.Th>
                <Table.Th>{t("field.date")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
                <Table.Th>{t("field.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((payment) => (
                <Table.Tr key={payment.id} data-testid="payment-row">
                  <Table.Td>{participantName(payment.enrollment.participant)}</Table.Td>
                  <Table.Td>{payment.enrollment.course.name}</Table.Td>
                  <Table.Td>{formats.money(payment.amount)}</Table.Td>
                  <Table.Td>{formats.money(payment.refundedAmount)}</Table.Td>
                  <Table.Td>
                    {payment.provider}
                    {payment.recordedBy && (
                      <Text size="xs" c="gray.7">
                        {personName(payment.recordedBy)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formats.dateTime(payment.paidAt ?? payment.createdAt)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={payment.status} />
                  </Table.Td>
                  <Table.Td>
                    {(payment.status === "SUCCEEDED" || payment.status === "PARTIALLY_REFUNDED") && (
                      <Button size="compact-xs" variant="default" onClick={() => setRefunding(payment)}>
                        {t("money.refund")}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </PagedState>
      {refunding && <RequestRefund payment={refunding} onClose={() => setRefunding(null)} />}
    </Stack>
  );
}

/** Staff ask for part (or all) of a payment back; the request then waits in the refund queue. */
function RequestRefund({ payment, onClose }: { payment: PaymentRowFragment; onClose: () => void }) {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const left = (Number(payment.amount.amount) - Number(payment.refundedAmount.amount)).toFixed(2);
  const [amount, setAmount] = useState(left);
  const [reason, setReason] = useState("");
  // One key for this intended refund: a double click or a retry never asks twice.
  const [idempotencyKey] = useState(newKey);
  const ask = useMutation({
    mutationFn: () => request(RequestRefundDocument, { input: { paymentId: payment.id, amount, reason, idempotencyKey } }),
    onSuccess: async () => {
      await invalidateMoney(client);
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("money.refundTitle", { amount: formats.money(payment.amount) })}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          ask.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={t("field.amount")}
            inputMode="decimal"
            required
            value={amount}
            onChange={(event) => setAmount(event.currentTarget.value)}
          />
          <Textarea label={t("field.reason")} required value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
          <ErrorAlert error={ask.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("action.close")}
            </Button>
            <Button type="submit" loading={ask.isPending} disabled={!reason.trim() || !amount}>
              {t("money.askRefund")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Refunds() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const [status, setStatus] = useState<RefundStatus>("REQUESTED");
  const [rejecting, setRejecting] = useState<string | null>(null);
  // One key per refund request approved from this screen.
  const [keys] = useState(() => new Map<string, string>());
  const keyFor = (id: string) => {
    let key = keys.get(id);
    if (!key) keys.set(id, (key = newKey()));
    return key;
  };
  const page = (data: RefundRequestsQuery) => data.refundRequests;
  const query = useInfiniteQuery({
    queryKey: ["refundRequests", status],
    queryFn: ({ pageParam }) => request(RefundRequestsDocument, { status, after: pageParam }),
    ...cursorPaging(page),
  });
  const approve = useMutation({
    mutationFn: (id: string) => request(ApproveRefundDocument, { input: { refundRequestId: id, idempotencyKey: keyFor(id) } }),
    onSuccess: () => invalidateMoney(client),
  });
  return (
    <Stack>
      <Select
        label={t("field.status")}
        data={(["REQUESTED", "REFUNDED", "REJECTED", "FAILED", "APPROVED"] as const).map((value) => ({
          value,
          label: t(`status.${value}`),
        }))}
        value={status}
        onChange={(value) => value && setStatus(value as RefundStatus)}
        allowDeselect={false}
        w={200}
      />
      <ErrorAlert error={approve.error} />
      <PagedState query={query} page={(data) => page(data as RefundRequestsQuery)} emptyText={t("money.noRefunds")}>
        {(nodes) => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field.participant")}</Table.Th>
                <Table.Th>{t("field.course")}</Table.Th>
                <Table.Th>{t("field.amount")}</Table.Th>
                <Table.Th>{t("money.ofPayment")}</Table.Th>
                <Table.Th>{t("field.reason")}</Table.Th>
                <Table.Th>{t("field.status")}</Table.Th>
                {status === "REQUESTED" && <Table.Th>{t("field.actions")}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((row) => (
                <Table.Tr key={row.id} data-testid="refund-row">
                  <Table.Td>{participantName(row.payment.enrollment.participant)}</Table.Td>
                  <Table.Td>{row.payment.enrollment.course.name}</Table.Td>
                  <Table.Td>{formats.money(row.amount)}</Table.Td>
                  <Table.Td>{formats.money(row.payment.amount)}</Table.Td>
                  <Table.Td>{row.reason}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={row.status} />
                  </Table.Td>
                  {status === "REQUESTED" && (
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
      {rejecting && <RejectRefund id={rejecting} onClose={() => setRejecting(null)} />}
    </Stack>
  );
}

function RejectRefund({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const reject = useMutation({
    mutationFn: () => request(RejectRefundDocument, { refundRequestId: id, reason }),
    onSuccess: async () => {
      await invalidateMoney(client);
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("money.rejectTitle")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          reject.mutate();
        }}
      >
        <Stack>
          <Textarea label={t("field.reason")} required value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
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

/** Money taken at the desk: pick the enrolment, the amount (what is owed by default), record it once. */
function RecordCash() {
  const { t } = useI18n();
  const { formats } = useAccess();
  const client = useQueryClient();
  const { options } = useCourseOptions();
  const [courseId, setCourseId] = useState<string | null>(null);
  const [enrollmentId, setEnrollmentId] = useState<string | null>(null);
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [note, setNote] = useState("");
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const enrollments = useQuery({
    queryKey: ["enrollments", courseId, "ACTIVE", "cash"],
    queryFn: () => request(EnrollmentsDocument, { courseId, status: "ACTIVE", first: 100 }),
    enabled: Boolean(courseId),
  });
  const rows = enrollments.data?.enrollments.nodes ?? [];
  const record = useMutation({
    mutationFn: () =>
      request(RecordCashPaymentDocument, {
        input: { enrollmentId: enrollmentId!, amount, idempotencyKey, reference: reference.trim() || null, note: note.trim() || null },
      }),
    onSuccess: async () => {
      // The next payment is another operation: a new key.
      setIdempotencyKey(newKey());
      setAmount("");
      setReference("");
      setNote("");
      await invalidateMoney(client);
    },
  });
  return (
    <Section title={t("money.recordCash")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          record.mutate();
        }}
      >
        <Stack maw={520}>
          <Select
            label={t("field.course")}
            data={options}
            value={courseId}
            searchable
            onChange={(value) => {
              setCourseId(value);
              setEnrollmentId(null);
            }}
          />
          <Select
            label={t("field.enrolment")}
            data={rows.map((row) => ({
              value: row.id,
              label: `${participantName(row.participant)} — ${t("field.balance")}: ${formats.money(row.balance)}`,
            }))}
            value={enrollmentId}
            disabled={!courseId || enrollments.isPending}
            onChange={(value) => {
              setEnrollmentId(value);
              const row = rows.find((candidate) => candidate.id === value);
              if (row?.balance) setAmount(row.balance.amount);
            }}
          />
          <ErrorAlert error={enrollments.error} />
          <TextInput
            label={t("field.amount")}
            inputMode="decimal"
            required
            value={amount}
            onChange={(event) => setAmount(event.currentTarget.value)}
          />
          <TextInput label={t("money.reference")} value={reference} onChange={(event) => setReference(event.currentTarget.value)} />
          <Textarea label={t("field.note")} value={note} onChange={(event) => setNote(event.currentTarget.value)} />
          <ErrorAlert error={record.error} />
          {record.data && (
            <Text role="status" c="teal.9">
              {t("money.recorded", { amount: formats.money(record.data.recordManualPayment.amount) })}
            </Text>
          )}
          <Button type="submit" loading={record.isPending} disabled={!enrollmentId || !amount}>
            {t("money.record")}
          </Button>
        </Stack>
      </form>
    </Section>
  );
}
