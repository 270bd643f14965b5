/** Loading, empty and error states shared by every screen, and small helpers around them. */
import { Alert, Button, Center, Group, Loader, Stack, Text } from "@mantine/core";
import type { UseInfiniteQueryResult, UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError } from "../api/client";
import { useI18n } from "../i18n";

/** The message of an error in the user's language: the API's own text, or ours for the network. */
export function useErrorText() {
  const { t } = useI18n();
  return (error: unknown) => {
    if (error instanceof ApiError) return error.code === "NETWORK" ? t("error.network") : error.message;
    return t("error.unexpected");
  };
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const text = useErrorText();
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title={t("error.title")}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{text(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t("action.retry")}
          </Button>
        )}
      </Group>
    </Alert>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <Center py="xl">
      <Loader aria-label={t("state.loading")} />
    </Center>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Text py="md" c="gray.7" ta="center">
      {children ?? t("state.empty")}
    </Text>
  );
}

/** Renders a query's loading, error and empty states, or its data. */
export function QueryState<T>({
  query,
  empty,
  emptyText,
  children,
}: {
  query: UseQueryResult<T>;
  empty?: (data: T) => boolean;
  emptyText?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  if (empty?.(query.data)) return <Empty>{emptyText}</Empty>;
  return <>{children(query.data)}</>;
}

interface Page<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: N[];
}

/** A cursor-paged list: its states, its rows, and "load more". */
export function PagedState<N>({
  query,
  page,
  emptyText,
  children,
}: {
  query: UseInfiniteQueryResult<{ pages: unknown[] }>;
  page: (data: unknown) => Page<N>;
  emptyText?: ReactNode;
  children: (nodes: N[], totalCount: number) => ReactNode;
}) {
  const { t } = useI18n();
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  const pages = query.data.pages.map(page);
  const nodes = pages.flatMap((p) => p.nodes);
  const total = pages[0]?.totalCount ?? 0;
  if (nodes.length === 0) return <Empty>{emptyText}</Empty>;
  return (
    <Stack gap="sm">
      {children(nodes, total)}
      <Group justify="space-between">
        <Text size="sm" c="gray.7">
          {t("list.showing", { shown: nodes.length, total })}
        </Text>
        {query.hasNextPage && (
          <Button variant="default" size="xs" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {t("list.more")}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** Options for useInfiniteQuery over a connection. */
export const cursorPaging = <D,>(page: (data: D) => Page<unknown>) => ({
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last: D) => (page(last).pageInfo.hasNextPage ? (page(last).pageInfo.endCursor ?? undefined) : undefined),
});
